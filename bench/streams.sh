#!/usr/bin/env bash
# Streams side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/streams.sh [--entries N] [--requests N]
#
# Memory: loads N entries (default 1M; fields "sensor" "42" "reading" <n>, ids from `*`) into
# one stream with redis-cli --pipe and reports INFO used_memory's growth per entry. Speed:
# redis-benchmark (50 clients) runs XADD s * f v at pipeline 16 and 1, then XREADGROUP GROUP g
# c COUNT 10 STREAMS s > (each call delivers 10 entries into the PEL) over the loaded stream.
# ember runs --shards 1; servers on core 0, redis-benchmark on core 1. Report on stdout.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

ENTRIES=1000000
REQUESTS=200000
while [[ $# -gt 0 ]]; do
  case $1 in
    --entries) ENTRIES=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side streams
BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}

"$PY" - "$ENTRIES" >"$WORKDIR/load.resp" <<'EOF'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
for i in range(n):
    args = [b"XADD", b"s", b"*", b"sensor", b"42", b"reading", b"%d" % i]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
EOF

bench() {
  local pipeline=$1
  shift
  timeout 300 taskset -c 1 "$BENCHMARK" -h 127.0.0.1 -p "$SERVER_PORT" -c 50 -P "$pipeline" \
    -n "$REQUESTS" --csv "$@" | tail -n 1 | awk -F'"' '{ print $4 }'
}

used_memory() {
  redis-cli -p "$SERVER_PORT" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'
}

# run_all TEMPLATE: prints "bytes_per_entry xadd16 xadd1 xreadgroup16 xreadgroup1".
run_all() {
  start_server bench "$1" "$WORKDIR/server.log"
  local before after
  before=$(used_memory)
  redis-cli -p "$SERVER_PORT" --pipe <"$WORKDIR/load.resp" >/dev/null
  after=$(used_memory)
  local len
  len=$(redis-cli -p "$SERVER_PORT" XLEN s)
  [[ $len == "$ENTRIES" ]] || die "loaded $len entries, expected $ENTRIES"
  local out=()
  out+=("$(awk -v a="$before" -v b="$after" -v n="$ENTRIES" 'BEGIN { printf "%.1f", (b - a) / n }')")
  for p in 16 1; do out+=("$(bench "$p" XADD x '*' field value)"); done
  redis-cli -p "$SERVER_PORT" XGROUP CREATE s g 0 >/dev/null
  for p in 16 1; do out+=("$(bench "$p" XREADGROUP GROUP g c COUNT 10 STREAMS s '>')"); done
  stop_server "$SERVER_PID"
  echo "${out[*]}"
}

read -ra R < <(run_all "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no")
SERVER_CPUS=0
read -ra E < <(run_all "$EMBER --port {port} --shards 1")

echo "## Streams, ember --shards 1 / Redis ($ENTRIES entries, $REQUESTS requests, 50 clients, $(date -u +%F))"
echo
echo "| measure | pipeline | ember | Redis | ratio |"
echo "|---|---|---|---|---|"
awk -v a="${E[0]}" -v b="${R[0]}" \
  'BEGIN { printf "| used_memory bytes per entry | - | %.1f | %.1f | %.2fx |\n", a, b, a / b }'
names=("XADD x * field value" "XADD x * field value" "XREADGROUP COUNT 10 >" "XREADGROUP COUNT 10 >")
pipes=(16 1 16 1)
for i in 0 1 2 3; do
  awk -v n="${names[$i]}" -v p="${pipes[$i]}" -v a="${E[$((i + 1))]}" -v b="${R[$((i + 1))]}" \
    'BEGIN { printf "| %s ops/s | %s | %.0f | %.0f | %.2fx |\n", n, p, a, b, a / b }'
done
