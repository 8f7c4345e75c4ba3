#!/usr/bin/env bash
# Transactions side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/transactions.sh [--requests N]
#
# MULTI, three SETs (random keys, 16 B), EXEC as one request: transactions per second and server
# CPU per transaction at pipeline 1 and 16, 50 clients. ember runs --shards 1 (one core each, as
# Redis; the EXEC runs inline on its shard); TX_SHARDS="1 2" adds --shards 2 on the same core
# (the EXEC then crosses shards as a multi-shard step: what that costs, not a fair comparison).
# Servers on core 0, ember-loadgen on core 1. Report on stdout (markdown).
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
setup_side_by_side tx

# run_one TEMPLATE PIPELINE: prints "tx/s cpu_us_per_tx p99_ms".
run_one() {
  start_server bench "$1" "$WORKDIR/server.log"
  local c0 c1 line rps p99
  c0=$(cpu_ticks "$SERVER_PID")
  line=$(timeout 300 taskset -c 1 "$LOADGEN" -h 127.0.0.1 -p "$SERVER_PORT" -c 50 --csv \
    -t multi_set3 -P "$2" -d 16 -r 100000 -n "$REQUESTS" | tail -n 1) || die "loadgen failed"
  c1=$(cpu_ticks "$SERVER_PID")
  stop_server "$SERVER_PID"
  IFS=, read -r _ rps _ _ _ _ p99 _ <<<"${line//\"/}"
  awk -v r="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$REQUESTS" -v p="$p99" \
    'BEGIN { printf "%.0f %.3f %s\n", r, t / hz * 1e6 / n, p }'
}

echo "## MULTI/EXEC of 3 SETs, ember / Redis ($REQUESTS transactions, $(date -u +%F))"
echo
echo "| pipeline | server | tx/s | Redis tx/s | ratio | CPU us/tx | Redis CPU us/tx | CPU ratio | p99 ms | Redis p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for pipeline in 1 16; do
  read -r r_rps r_cpu r_p99 < <(run_one "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no" "$pipeline")
  for shards in ${TX_SHARDS:-1}; do
    SERVER_CPUS=0
    read -r e_rps e_cpu e_p99 < <(run_one "$EMBER --port {port} --shards $shards" "$pipeline")
    awk -v p="$pipeline" -v s="ember --shards $shards" -v a="$e_rps" -v b="$r_rps" -v c="$e_cpu" \
      -v d="$r_cpu" -v e="$e_p99" -v f="$r_p99" \
      'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx | %s | %s |\n", p, s, a, b, a / b, c, d, c / d, e, f }'
  done
done
