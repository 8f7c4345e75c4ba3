#!/usr/bin/env bash
# Scripts side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/scripting.sh [--requests N] [--client loadgen|redis-benchmark]
#
# EVALSHA of a 3-command script (INCR, SET, GET on two declared keys) and FCALL of the same
# three commands as a library function, 50 clients, pipeline 16 and 1: calls per second and
# server CPU per call. ember runs --shards 1 (one core each, as Redis). Servers on core 0, the
# client on core 1 (ember-loadgen by default: redis-benchmark saturates its own core first).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=bench/lib/command_bench.sh
source "$BENCH_DIR/lib/command_bench.sh"

REQUESTS=300000
CLIENT=loadgen
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) REQUESTS=${2:?}; shift ;;
    --client) CLIENT=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side scripting
SCRIPT="redis.call('incr', KEYS[1]) redis.call('set', KEYS[2], ARGV[1]) return redis.call('get', KEYS[2])"
LIBRARY="#!lua name=bench
redis.register_function('bench3', function(keys, args) redis.call('incr', keys[1]) \
redis.call('set', keys[2], args[1]) return redis.call('get', keys[2]) end)"

# run_one TEMPLATE PIPELINE MODE (evalsha|fcall): prints "calls/s cpu_us_per_call".
run_one() {
  start_server bench "$1" "$WORKDIR/server.log"
  local call
  if [[ $3 == fcall ]]; then
    redis-cli -p "$SERVER_PORT" FUNCTION LOAD "$LIBRARY" >/dev/null
    call=(FCALL bench3)
  else
    call=(EVALSHA "$(redis-cli -p "$SERVER_PORT" SCRIPT LOAD "$SCRIPT")")
  fi
  bench_command "$2" "$REQUESTS" 0 "${call[@]}" 2 counter value xxxxxxxxxxxxxxxx
  stop_server "$SERVER_PID"
}

for mode in evalsha fcall; do
  if [[ $mode == fcall ]]; then what="FCALL of a 3-command function"; else what="EVALSHA of a 3-command script"; fi
  echo "## $what, ember / Redis ($REQUESTS calls, client $CLIENT, $(date -u +%F))"
  echo
  echo "| pipeline | calls/s | Redis calls/s | ratio | CPU us/call | Redis CPU us/call | CPU ratio |"
  echo "|---|---|---|---|---|---|---|"
  for pipeline in 16 1; do
    read -r r_rps r_cpu < <(run_one "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no" "$pipeline" "$mode")
    read -r e_rps e_cpu < <(run_one "$EMBER --port {port} --shards 1" "$pipeline" "$mode")
    awk -v p="$pipeline" -v a="$e_rps" -v b="$r_rps" -v c="$e_cpu" -v d="$r_cpu" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx |\n", p, a, b, a / b, c, d, c / d }'
  done
  echo
done
