#!/usr/bin/env bash
# Multi-core scaling: ember with --shards N for each N (the server on cores 0..N-1) next to one
# redis-server on core 0, all driven by the same multi-threaded redis-benchmark on the cores
# above the largest N. Needs a machine with at least 2x the largest N cores.
#
#   bash bench/scaling.sh [--shards "1 2 4 8"] [--requests N] [--client-threads T]
#
# Prints a markdown table: ops/s for SET and GET (16 B values, 400 connections, pipeline 16,
# 1M random keys) and the server's CPU per request (utime + stime from /proc).
# EMBER_SERVER / REDIS_SERVER override the binaries.
# shellcheck source=bench/lib/servers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARDS="1 2 4 8" REQUESTS=4000000 THREADS=4
while [[ $# -gt 0 ]]; do
  case $1 in
    --shards) SHARDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --client-threads) THREADS=$2; shift 2 ;;
    *) echo "usage: $0 [--shards LIST] [--requests N] [--client-threads T]" >&2; exit 2 ;;
  esac
done
EMBER_SERVER=$(realpath "${EMBER_SERVER:-build/release/ember-server}")
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
WORKDIR=$(mktemp -d /tmp/ember-scaling.XXXXXX)
source bench/lib/servers.sh
trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT

max=0
for n in $SHARDS; do ((n > max)) && max=$n; done
cores=$(nproc)
((cores >= 2 * max)) || die "needs $((2 * max)) cores for --shards up to $max, this machine has $cores"
CLIENT_CPUS="$max-$((cores - 1))"

# measure NAME CPUS TEMPLATE: prints "set_ops get_ops set_us get_us"
measure() {
  local name=$1 template=$3
  SERVER_CPUS=$2 start_server "$name" "$template" "$WORKDIR/$name.log"
  local out=()
  for test in set get; do
    local c0 c1 ops
    c0=$(cpu_ticks "$SERVER_PID")
    ops=$(taskset -c "$CLIENT_CPUS" timeout 300 redis-benchmark -p "$SERVER_PORT" --threads "$THREADS" \
      -c 400 -n "$REQUESTS" -P 16 -r 1000000 -d 16 -t "$test" --csv |
      tail -n 1 | tr -d '"' | cut -d, -f2)
    c1=$(cpu_ticks "$SERVER_PID")
    out+=("$ops" "$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$REQUESTS" \
      'BEGIN { printf "%.2f", c / hz * 1e6 / n }')")
  done
  require_alive "$SERVER_PID" "$name"
  stop_server "$SERVER_PID"
  echo "${out[0]} ${out[2]} ${out[1]} ${out[3]}"
}

read -r r_set r_get r_set_us r_get_us < <(measure redis 0 \
  "$REDIS_SERVER --port {port} --bind 127.0.0.1 --save '' --appendonly no")
echo "| server | cores | SET ops/s | vs redis | GET ops/s | vs redis | SET µs CPU/req | GET µs CPU/req |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '| redis | 1 | %.0f | 1.00x | %.0f | 1.00x | %s | %s |\n' "$r_set" "$r_get" "$r_set_us" "$r_get_us"
for n in $SHARDS; do
  read -r e_set e_get e_set_us e_get_us < <(measure ember "0-$((n - 1))" \
    "$EMBER_SERVER --host 127.0.0.1 --port {port} --shards $n")
  awk -v n="$n" -v s="$e_set" -v g="$e_get" -v rs="$r_set" -v rg="$r_get" -v su="$e_set_us" \
    -v gu="$e_get_us" 'BEGIN { printf "| ember | %d | %.0f | %.2fx | %.0f | %.2fx | %s | %s |\n",
      n, s, s / rs, g, g / rg, su, gu }'
done
