#!/bin/bash
# PFADD, SETBIT and BITCOUNT, ember (--shards 1) and redis-server side by side with
# redis-benchmark as the client, servers on CPU 0, the client on CPU 1.
#   bench/bits.sh [build/release/ember-server]      N=requests per run (default 200000)
# SETBIT and the small BITCOUNT go to 1000 keys of 1 KB bitmaps; the big BITCOUNT counts one
# 1 MB random bitmap; PFADD adds random elements to one HyperLogLog (dense after a few
# thousand).
set -euo pipefail
EMBER=${1:-build/release/ember-server}
N=${N:-200000}
EPORT=${EPORT:-16500}
RPORT=${RPORT:-16501}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait' EXIT
taskset -c 0 "$EMBER" --port "$EPORT" --shards 1 >/dev/null 2>&1 &
PIDS+=($!)
taskset -c 0 redis-server --port "$RPORT" --save '' --appendonly no >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
BITMAP=$(mktemp)
head -c 1048576 /dev/urandom >"$BITMAP"
for port in "$EPORT" "$RPORT"; do redis-cli -p "$port" -x set bm <"$BITMAP" >/dev/null; done
rm -f "$BITMAP"

rps() {  # port pipeline range command...
  local port=$1 p=$2 r=$3
  shift 3
  taskset -c 1 redis-benchmark -p "$port" -n "$N" -r "$r" -P "$p" -q "$@" 2>/dev/null |
    tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1
}

printf '%-16s %-4s %12s %12s %6s\n' command P ember redis ratio
for P in 1 16; do
  while read -r name range cmd; do
    # shellcheck disable=SC2086
    e=$(rps "$EPORT" "$P" "$range" $cmd)
    # shellcheck disable=SC2086
    r=$(rps "$RPORT" "$P" "$range" $cmd)
    printf '%-16s %-4s %12s %12s %6s\n' "$name" "P$P" "$e" "$r" \
      "$(awk -v a="$e" -v b="$r" 'BEGIN { printf "%.2f", a / b }')"
  done <<'LIST'
pfadd 100000000 pfadd hll __rand_int__
setbit 1000 setbit bits:__rand_int__ 8191 1
bitcount-1KB 1000 bitcount bits:__rand_int__
bitcount-1MB 1000 bitcount bm
LIST
done
