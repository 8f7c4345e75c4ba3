#!/usr/bin/env bash
# Scripts side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/scripting.sh [--requests N]
#
# EVALSHA of a 3-command script (INCR, SET, GET on two declared keys) and FCALL of the same
# three commands as a library function, through redis-benchmark, 50 clients, pipeline 1 and 16:
# calls per second and server CPU per call. ember runs
# --shards 1 (one core each, as Redis). Servers on core 0, redis-benchmark on core 1.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

REQUESTS=300000
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) REQUESTS=${2:?}; shift ;;
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
  local sha c0 c1 rps call
  if [[ $3 == fcall ]]; then
    redis-cli -p "$SERVER_PORT" FUNCTION LOAD "$LIBRARY" > /dev/null
    call=(FCALL bench3)
  else
    sha=$(redis-cli -p "$SERVER_PORT" SCRIPT LOAD "$SCRIPT")
    call=(EVALSHA "$sha")
  fi
  c0=$(cpu_ticks "$SERVER_PID")
  rps=$(timeout 300 taskset -c 1 redis-benchmark -p "$SERVER_PORT" -c 50 -n "$REQUESTS" -P "$2" \
    --csv "${call[@]}" 2 counter value xxxxxxxxxxxxxxxx | tail -n 1 | cut -d, -f2 | tr -d '"')
  c1=$(cpu_ticks "$SERVER_PID")
  require_alive "$SERVER_PID" server
  stop_server "$SERVER_PID"
  awk -v r="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$REQUESTS" \
    'BEGIN { printf "%.0f %.3f\n", r, t / hz * 1e6 / n }'
}

for mode in evalsha fcall; do
  if [[ $mode == fcall ]]; then what="FCALL of a 3-command function"; else what="EVALSHA of a 3-command script"; fi
  echo "## $what, ember / Redis ($REQUESTS calls, $(date -u +%F))"
  echo
  echo "| pipeline | calls/s | Redis calls/s | ratio | CPU us/call | Redis CPU us/call | CPU ratio |"
  echo "|---|---|---|---|---|---|---|"
  for pipeline in 1 16; do
    read -r r_rps r_cpu < <(run_one "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no" "$pipeline" "$mode")
    read -r e_rps e_cpu < <(run_one "$EMBER --port {port} --shards 1" "$pipeline" "$mode")
    awk -v p="$pipeline" -v a="$e_rps" -v b="$r_rps" -v c="$e_cpu" -v d="$r_cpu" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx |\n", p, a, b, a / b, c, d, c / d }'
  done
  echo
done
