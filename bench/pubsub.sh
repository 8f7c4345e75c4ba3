#!/usr/bin/env bash
# PUBLISH fan-out, ember vs redis-server side by side, one core each.
#
#   bash bench/pubsub.sh [--seconds S] [--rounds R] [--subscribers N] [--shards K]
#
# Per round and server: the server starts fresh on core 0; bench/pubsub_load.py on core 1
# subscribes N clients (default 100) and publishes 16-byte messages with 512 PUBLISH in flight
# for S seconds (default 5):
#   channel: all N subscribers on one channel;
#   pattern: 1000 patterns, 10 per subscriber, one of them matching: every PUBLISH is matched
#            against 1000 patterns and delivered to N.
# Prints messages delivered per second (frames all subscribers received / seconds) and the
# server's CPU per delivered message. ember runs with --shards K (default 1).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

SECONDS_PER_RUN=5 ROUNDS=3 SUBSCRIBERS=100 SHARDS=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --subscribers) SUBSCRIBERS=${2:?}; shift ;;
    --shards) SHARDS=${2:?}; shift ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
EMBER=${EMBER_SERVER:-$REPO/build/release/ember-server}
[[ -x $EMBER ]] || die "ember-server not found at $EMBER (run: make release)"
CLK_TCK=$(getconf CLK_TCK)

WORKDIR=$(mktemp -d /tmp/ember-pubsub.XXXXXX)
trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT
taskset -cp 1 $$ >/dev/null

printf '%-6s %-6s %-8s %14s %16s\n' round server mode "delivered/s" "server us/msg"
for ((round = 1; round <= ROUNDS; round++)); do
  for server in ember redis; do
    for patterns in 0 1000; do
      if [[ $server == redis ]]; then
        template="redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
      else
        template="$(realpath "$EMBER") --host 127.0.0.1 --port {port} --shards $SHARDS"
      fi
      start_server "$server" "$template" "$WORKDIR/server.log" 2>/dev/null
      c0=$(cpu_ticks "$SERVER_PID")
      line=$(timeout 120 "$PY" "$BENCH_DIR/pubsub_load.py" --port "$SERVER_PORT" \
        --subscribers "$SUBSCRIBERS" --patterns "$patterns" --seconds "$SECONDS_PER_RUN") ||
        die "pubsub_load.py failed against $server"
      c1=$(cpu_ticks "$SERVER_PID")
      require_alive "$SERVER_PID" "$server"
      stop_server "$SERVER_PID"
      IFS=, read -r mode _ _ _ delivered _ rate <<<"$line"
      awk -v r="$round" -v s="$server" -v m="$mode" -v rate="$rate" -v d="$delivered" \
        -v t=$((c1 - c0)) -v hz="$CLK_TCK" \
        'BEGIN { printf "%-6d %-6s %-8s %14.0f %16.3f\n", r, s, m, rate, (d > 0 ? t / hz * 1e6 / d : 0) }'
    done
  done
done
