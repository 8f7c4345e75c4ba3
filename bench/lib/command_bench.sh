# shellcheck shell=bash
# One command line benchmarked against the server started last (SERVER_PID, SERVER_PORT of
# servers.sh): the client's throughput and the server's CPU time per request from /proc.
# Sourced by the per-type scripts (bits.sh, geo.sh, streams.sh) after servers.sh and
# setup_side_by_side.
#
# CLIENT picks the load generator: `loadgen` (default; ember-loadgen frames replies without
# parsing them, so on a 2-core machine the server stays the bottleneck) or `redis-benchmark`
# (it parses every reply and saturates its own core at ~700k requests/s, capping every ratio
# of a fast server near 1.2x). Both take the same flags and fill __rand_int__ from -r.

# bench_command PIPELINE REQUESTS RANGE ARGS...: prints "ops_per_second cpu_us_per_request".
# RANGE 0 leaves __rand_int__ as it is (one key).
bench_command() {
  local pipeline=$1 requests=$2 range=$3
  shift 3
  local tool=$LOADGEN
  [[ ${CLIENT:-loadgen} == redis-benchmark ]] && tool=${REDIS_BENCHMARK:-redis-benchmark}
  local -a random=()
  ((range > 0)) && random=(-r "$range")
  local c0 c1 rps
  c0=$(cpu_ticks "$SERVER_PID")
  rps=$(timeout 300 taskset -c "${CLIENT_CPUS:-1}" "$tool" -h 127.0.0.1 -p "$SERVER_PORT" \
    -c 50 -P "$pipeline" -n "$requests" "${random[@]}" --csv "$@" | tail -n 1 |
    awk -F'"' '{ print $4 }')
  c1=$(cpu_ticks "$SERVER_PID")
  require_alive "$SERVER_PID" "server"
  [[ -n $rps ]] || die "no result from $tool for: $*"
  awk -v r="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$requests" \
    'BEGIN { printf "%.0f %.3f\n", r, t / hz * 1e6 / n }'
}

# ratio_row NAME PIPELINE EMBER_OPS REDIS_OPS EMBER_CPU REDIS_CPU: one markdown table row.
ratio_row() {
  awk -v n="$1" -v p="$2" -v eo="$3" -v ro="$4" -v ec="$5" -v rc="$6" 'BEGIN {
    printf "| %s | %s | %.0f | %.0f | **%.2fx** | %.2f | %.2f | %.2fx |\n",
      n, p, eo, ro, eo / ro, ec, rc, (rc > 0 ? ec / rc : 0) }'
}

ratio_header() {
  echo "| command | pipeline | ember ops/s | Redis ops/s | ratio | ember CPU µs/op | Redis CPU µs/op | CPU ratio |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
}
