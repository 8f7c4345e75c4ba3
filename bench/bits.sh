#!/usr/bin/env bash
# PFADD, SETBIT and BITCOUNT, ember (--shards 1) and Debian's redis-server side by side, one
# after the other in the same run: servers on core 0, the client on core 1.
#
#   bash bench/bits.sh [--requests N] [--client loadgen|redis-benchmark]
#
# SETBIT and the small BITCOUNT go to 1000 keys of 1 KB bitmaps; the big BITCOUNT counts one
# 1 MB random bitmap; PFADD adds random elements to one HyperLogLog (dense after a few
# thousand). Prints a markdown table: ops/s and server CPU µs per request, with ratios.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=bench/lib/command_bench.sh
source "$BENCH_DIR/lib/command_bench.sh"

REQUESTS=1000000
CLIENT=loadgen
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) REQUESTS=${2:?}; shift ;;
    --client) CLIENT=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side bits
head -c 1048576 /dev/urandom >"$WORKDIR/bitmap"

# name range command... (P1 runs a tenth of the requests: it is latency-bound)
CASES=(
  "pfadd 100000000 PFADD hll __rand_int__"
  "setbit 1000 SETBIT bits:__rand_int__ 8191 1"
  "bitcount-1KB 1000 BITCOUNT bits:__rand_int__"
  "bitcount-1MB 0 BITCOUNT bm"
)

# run_all TEMPLATE: one "ops cpu" pair per case and pipeline (16, then 1), on one line.
run_all() {
  start_server bench "$1" "$WORKDIR/server.log"
  redis-cli -p "$SERVER_PORT" -x SET bm <"$WORKDIR/bitmap" >/dev/null
  local out=() spec p
  for spec in "${CASES[@]}"; do
    read -ra c <<<"$spec"
    for p in 16 1; do
      local n=$REQUESTS
      ((p == 1)) && n=$((REQUESTS / 10))
      [[ ${c[0]} == bitcount-1MB ]] && n=$((n / 20))
      out+=("$(bench_command "$p" "$n" "${c[1]}" "${c[@]:2}")")
    done
  done
  stop_server "$SERVER_PID"
  echo "${out[*]}"
}

read -ra R < <(run_all "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no")
read -ra E < <(run_all "$EMBER --port {port} --shards 1")

echo "## Bitmaps and HyperLogLog, ember --shards 1 / Redis ($REQUESTS requests at P16, client $CLIENT, $(date -u +%F))"
echo
ratio_header
i=0
for spec in "${CASES[@]}"; do
  read -ra c <<<"$spec"
  for p in 16 1; do
    ratio_row "${c[*]:2}" "$p" "${E[$i]}" "${R[$i]}" "${E[$((i + 1))]}" "${R[$((i + 1))]}"
    i=$((i + 2))
  done
done
