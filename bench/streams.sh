#!/usr/bin/env bash
# Streams side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/streams.sh [--entries N] [--requests N] [--client loadgen|redis-benchmark]
#
# Memory: loads N entries (default 1M; fields "sensor" "42" "reading" <n>, ids from `*`) into
# one stream with redis-cli --pipe and reports INFO used_memory's growth per entry. Speed: the
# client (ember-loadgen by default, see lib/command_bench.sh; 50 clients) runs XADD x * f v at
# pipeline 16 and 1, then XREADGROUP GROUP gP c COUNT 10 STREAMS s > over the loaded stream,
# one group per pipeline, as many calls as deliver 10 entries each into the PEL. ember runs
# --shards 1; servers on core 0, the client on core 1. Report on stdout: ops/s and server CPU.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=bench/lib/command_bench.sh
source "$BENCH_DIR/lib/command_bench.sh"

ENTRIES=1000000
REQUESTS=1000000
CLIENT=loadgen
while [[ $# -gt 0 ]]; do
  case $1 in
    --entries) ENTRIES=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --client) CLIENT=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side streams

"$PY" - "$ENTRIES" >"$WORKDIR/load.resp" <<'EOF'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
for i in range(n):
    args = [b"XADD", b"s", b"*", b"sensor", b"42", b"reading", b"%d" % i]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
EOF

used_memory() {
  redis-cli -p "$SERVER_PORT" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'
}

# run_all TEMPLATE: prints bytes_per_entry, then an "ops cpu" pair per measurement.
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
  out+=("$(bench_command 16 "$REQUESTS" 0 XADD x '*' field value)")
  out+=("$(bench_command 1 $((REQUESTS / 10)) 0 XADD x '*' field value)")
  redis-cli -p "$SERVER_PORT" XGROUP CREATE s g16 0 >/dev/null
  redis-cli -p "$SERVER_PORT" XGROUP CREATE s g1 0 >/dev/null
  out+=("$(bench_command 16 $((ENTRIES / 10)) 0 XREADGROUP GROUP g16 c COUNT 10 STREAMS s '>')")
  out+=("$(bench_command 1 $((ENTRIES / 50)) 0 XREADGROUP GROUP g1 c COUNT 10 STREAMS s '>')")
  stop_server "$SERVER_PID"
  echo "${out[*]}"
}

read -ra R < <(run_all "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no")
SERVER_CPUS=0
read -ra E < <(run_all "$EMBER --port {port} --shards 1")

echo "## Streams, ember --shards 1 / Redis ($ENTRIES entries, 50 clients, client $CLIENT, $(date -u +%F))"
echo
awk -v a="${E[0]}" -v b="${R[0]}" \
  'BEGIN { printf "used_memory bytes per entry: ember %.1f, Redis %.1f (%.2fx)\n\n", a, b, a / b }'
ratio_header
names=("XADD x * field value" "XADD x * field value" "XREADGROUP COUNT 10 >" "XREADGROUP COUNT 10 >")
pipes=(16 1 16 1)
for i in 0 1 2 3; do
  ratio_row "${names[$i]}" "${pipes[$i]}" "${E[$((2 * i + 1))]}" "${R[$((2 * i + 1))]}" \
    "${E[$((2 * i + 2))]}" "${R[$((2 * i + 2))]}"
done
