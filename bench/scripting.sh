#!/usr/bin/env bash
# Scripts side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/scripting.sh [--requests N]
#
# EVALSHA of a 3-command script (INCR, SET, GET on two declared keys) through redis-benchmark,
# 50 clients, pipeline 1 and 16: scripts per second and server CPU per script. ember runs
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

# run_one TEMPLATE PIPELINE: prints "scripts/s cpu_us_per_script".
run_one() {
  start_server bench "$1" "$WORKDIR/server.log"
  local sha c0 c1 rps
  sha=$(redis-cli -p "$SERVER_PORT" SCRIPT LOAD "$SCRIPT")
  c0=$(cpu_ticks "$SERVER_PID")
  rps=$(timeout 300 taskset -c 1 redis-benchmark -p "$SERVER_PORT" -c 50 -n "$REQUESTS" -P "$2" \
    --csv EVALSHA "$sha" 2 counter value xxxxxxxxxxxxxxxx | tail -n 1 | cut -d, -f2 | tr -d '"')
  c1=$(cpu_ticks "$SERVER_PID")
  require_alive "$SERVER_PID" server
  stop_server "$SERVER_PID"
  awk -v r="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$REQUESTS" \
    'BEGIN { printf "%.0f %.3f\n", r, t / hz * 1e6 / n }'
}

echo "## EVALSHA of a 3-command script, ember / Redis ($REQUESTS scripts, $(date -u +%F))"
echo
echo "| pipeline | scripts/s | Redis scripts/s | ratio | CPU us/script | Redis CPU us/script | CPU ratio |"
echo "|---|---|---|---|---|---|---|"
for pipeline in 1 16; do
  read -r r_rps r_cpu < <(run_one "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no" "$pipeline")
  read -r e_rps e_cpu < <(run_one "$EMBER --port {port} --shards 1" "$pipeline")
  awk -v p="$pipeline" -v a="$e_rps" -v b="$r_rps" -v c="$e_cpu" -v d="$r_cpu" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx |\n", p, a, b, a / b, c, d, c / d }'
done
