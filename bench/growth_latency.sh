#!/usr/bin/env bash
# Latency while the keyspace grows: one client loads KEYS fresh keys (pipelined SETs) while
# another runs GET one request at a time; reports the GET latency summary (max included) for
# ember and for Debian's redis-server, each pinned to core 0 with the clients on core 1.
#
#   bash bench/growth_latency.sh [--keys N] [--trace]     (default 10,000,000 keys)
#
# --trace records the scheduler's switches on the server's core while it grows (perf) and
# lists the spans the server was runnable but off its core, with what ran there instead.
#   EMBER_SERVER / REDIS_SERVER override the binaries. On a machine with more cores,
#   SERVER_CPUS, PROBER_CPU and LOADER_CPU place the server, the prober and the loader
#   (defaults 0, 1, 1).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=10000000 TRACE=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --keys) KEYS=$2; shift 2 ;;
    --trace) TRACE=1; shift ;;
    *) echo "usage: $0 [--keys N] [--trace]" >&2; exit 2 ;;
  esac
done
((TRACE == 0)) || command -v perf >/dev/null || { echo "--trace needs perf (linux-perf)" >&2; exit 1; }
EMBER_SERVER=$(realpath "${EMBER_SERVER:-build/release/ember-server}")
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
[[ -x $EMBER_SERVER ]] || { echo "build ember first: make release" >&2; exit 1; }
WORKDIR=$(mktemp -d /tmp/ember-growth.XXXXXX)
RESULTS_DIR=$WORKDIR
source bench/lib/servers.sh
PROBER_CPU=${PROBER_CPU:-1} LOADER_CPU=${LOADER_CPU:-1}
# The prober runs real-time where the system allows it, so the loader beside it cannot delay
# its wake-ups.
REALTIME=(chrt -f 10)
"${REALTIME[@]}" true 2>/dev/null || REALTIME=()
trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT

run_one() {
  local name=$1 template=$2
  start_server "$name" "$template" "$WORKDIR/$name.log"
  local port=$SERVER_PORT pid=$SERVER_PID
  redis-cli -p "$port" set key:0000000001 0000000000000001 >/dev/null
  # The same prober on the idle server first: the machine's own noise floor.
  local idle
  idle=$("${REALTIME[@]}" taskset -c "$PROBER_CPU" $PY bench/lib/get_prober.py "$port" --seconds 3)
  "${REALTIME[@]}" taskset -c "$PROBER_CPU" $PY bench/lib/get_prober.py "$port" \
    >"$WORKDIR/$name.get.txt" &
  local prober=$! tracer=""
  if ((TRACE)); then
    perf record -q -e sched:sched_switch -C "${SERVER_CPUS:-0}" -o "$WORKDIR/$name.sched" \
      -- sleep 600 >/dev/null 2>&1 &
    tracer=$!
  fi
  local start=$SECONDS
  taskset -c "$LOADER_CPU" timeout 600 $PY bench/lib/gen_resp.py "$KEYS" |
    taskset -c "$LOADER_CPU" timeout 600 redis-cli -p "$port" --pipe >"$WORKDIR/$name.load.txt" 2>&1
  local load_s=$((SECONDS - start))
  kill -TERM "$prober" 2>/dev/null || true
  wait "$prober" 2>/dev/null || true
  if [[ -n $tracer ]]; then
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" 2>/dev/null || true
  fi
  require_alive "$pid" "$name"
  local keys rss
  keys=$(redis-cli -p "$port" dbsize)
  rss=$(rss_bytes "$pid")
  printf '%-6s idle       GET ms: %s\n' "$name" "$idle"
  printf '%-6s growing   GET ms: %s  (keys=%s load=%ss rss=%sMB)\n' \
    "$name" "$(cat "$WORKDIR/$name.get.txt")" "$keys" "$load_s" $((rss / 1048576))
  if [[ -n $tracer ]]; then
    perf script -i "$WORKDIR/$name.sched" -F time,trace 2>/dev/null |
      $PY bench/lib/preemptions.py "$(ls /proc/"$pid"/task | paste -sd,)" | sed "s/^/$name   /"
  fi
  stop_server "$pid"
}

run_one ember "$EMBER_SERVER --port {port} --shards 1"
run_one redis "$REDIS_SERVER --port {port} --save '' --appendonly no"
