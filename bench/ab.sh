#!/usr/bin/env bash
# A/B of server builds (before/after a change) under ember-loadgen, one core each.
#
#   bash bench/ab.sh [--pipeline P] [--requests N] [--rounds R] [--tests set,get] [--shards S] [--size B]
#                    BIN... [redis]
#
# Each BIN is an ember-server binary ("redis" means Debian's redis-server). Per round every
# server is started fresh on core 0, loaded from core 1 with
#   ember-loadgen -c 50 -P P -n N -r 100000 -d B -t TESTS   (B: value bytes, default 16)
# and stopped; the order is the same each round, so compare rounds, not only one line.
# ember runs with --shards S (default 1), all on core 0 unless SERVER_CPUS says otherwise.
# Prints one line per run: the server's CPU per request (utime+stime from /proc over the
# run, divided by the requests) and each test's ops/s, p50 and p99 in ms.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

PIPELINE=16 REQUESTS=3000000 ROUNDS=3 TESTS=set,get SHARDS=1 SIZE=16
BINS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --pipeline) PIPELINE=${2:?}; shift ;;
    --size) SIZE=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --tests) TESTS=${2:?}; shift ;;
    --shards) SHARDS=${2:?}; shift ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) BINS+=("$1") ;;
  esac
  shift
done
[[ ${#BINS[@]} -ge 1 ]] || die "name at least one server binary (or redis)"
LOADGEN=${EMBER_LOADGEN:-$REPO/build/release/ember-loadgen}
[[ -x $LOADGEN ]] || die "ember-loadgen not found at $LOADGEN (run: make release)"
CLK_TCK=$(getconf CLK_TCK)
NTESTS=$(tr ',' '\n' <<<"$TESTS" | wc -l)

WORKDIR=$(mktemp -d /tmp/ember-ab.XXXXXX)
trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT
taskset -cp 1 $$ >/dev/null

for ((round = 1; round <= ROUNDS; round++)); do
  for bin in "${BINS[@]}"; do
    if [[ $bin == redis ]]; then
      template="redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
    else
      [[ -x $bin ]] || die "not an executable: $bin"
      template="$(realpath "$bin") --host 127.0.0.1 --port {port} --shards $SHARDS"
    fi
    start_server "$bin" "$template" "$WORKDIR/server.log" 2>/dev/null
    c0=$(cpu_ticks "$SERVER_PID")
    out=$(timeout 300 "$LOADGEN" -p "$SERVER_PORT" -c 50 -n "$REQUESTS" -P "$PIPELINE" \
      -r 100000 -d "$SIZE" -t "$TESTS" --csv) || die "ember-loadgen failed against $bin"
    c1=$(cpu_ticks "$SERVER_PID")
    require_alive "$SERVER_PID" "$bin"
    stop_server "$SERVER_PID"
    runs=$(tail -n +2 <<<"$out" | tr -d '"' |
      awk -F, '{ printf "  %s %.0f ops/s p50 %s p99 %s", $1, $2, $5, $7 }')
    awk -v b="$bin" -v r="$round" -v t=$((c1 - c0)) -v hz="$CLK_TCK" \
      -v n="$REQUESTS" -v k="$NTESTS" -v runs="$runs" \
      'BEGIN { printf "round %d %-32s %6.3f us CPU/req%s\n", r, b, t / hz * 1e6 / (n * k), runs }'
  done
done
