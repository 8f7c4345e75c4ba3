# shellcheck shell=bash
# Data-type benchmarks for bench/compare.sh (sourced; uses its start/stop helpers):
#  - RSS per element for 1M small hashes (10 fields), one hash of 1M fields, one sorted set of
#    1M members and one set of 1M integers;
#  - redis-benchmark -t lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100 -P 16,
#    ROUNDS times with the A/B order alternating (the report takes medians).
# Writes types-memory.csv and types-runs.csv into RESULTS_DIR.

TYPES_ELEMENTS=${TYPES_ELEMENTS:-1000000}
TYPES_TESTS=lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100

types_memory_one() {
  local server=$1 scenario=$2 before after
  start "$server" "types-$scenario"
  sleep 0.5
  before=$(rss_bytes "${PID_OF[$server]}")
  local loadlog=$RESULTS_DIR/types-load-$server-$scenario.log
  if ! taskset -c 1 "$PY" "$BENCH_DIR/lib/gen_types.py" "$scenario" "$TYPES_ELEMENTS" 2>/dev/null |
    timeout 900 taskset -c 1 redis-cli -h 127.0.0.1 -p "${PORT_OF[$server]}" --pipe >"$loadlog" 2>&1; then
    cat "$loadlog" >&2
    die "loading $scenario into $server failed"
  fi
  grep -q "errors: 0," "$loadlog" || { cat "$loadlog" >&2; die "$server: $scenario load errors"; }
  sleep 1
  require_alive "${PID_OF[$server]}" "$server"
  after=$(rss_bytes "${PID_OF[$server]}")
  # Elements: hashes for small-hashes, fields/members otherwise.
  echo "$server,$scenario,$TYPES_ELEMENTS,$before,$after" >>"$RESULTS_DIR/types-memory.csv"
  log "$(awk -v s="$server" -v v="$scenario" -v a="$before" -v b="$after" -v k="$TYPES_ELEMENTS" \
    'BEGIN { printf "    %-5s %-12s RSS %.1f -> %.1f MiB  %.1f B/element", s, v, a / 1048576, b / 1048576, (b - a) / k }')"
  stop_server "${PID_OF[$server]}"
}

types_throughput_one() {
  local server=$1 round=$2 out=$RESULTS_DIR/types-rb-$1-$2.csv
  start "$server" "types-rb"
  if ! timeout 600 taskset -c 1 "$BENCH_TOOL" -h 127.0.0.1 -p "${PORT_OF[$server]}" \
    -t "$TYPES_TESTS" -n "$N_P16" -c "$CLIENTS" -P 16 -r "$KEYSPACE" --csv >"$out" 2>"$out.err"; then
    cat "$out.err" >&2
    die "$CLIENT (types) failed: $server"
  fi
  require_alive "${PID_OF[$server]}" "$server"
  if grep -qi "error" "$out.err" "$out"; then cat "$out.err" >&2; die "$CLIENT reported errors: $server"; fi
  tail -n +2 "$out" | tr -d '"' | awk -F, -v s="$server" -v r="$round" '{ print s "," r "," $1 "," $2 }' \
    >>"$RESULTS_DIR/types-runs.csv"
  stop_server "${PID_OF[$server]}"
}

run_types() {
  log "types: memory with $TYPES_ELEMENTS elements per scenario"
  echo "server,scenario,elements,rss_before,rss_after" >"$RESULTS_DIR/types-memory.csv"
  local scenario
  for scenario in small-hashes big-hash zset int-set; do
    types_memory_one ember "$scenario"
    types_memory_one redis "$scenario"
  done
  log "types: $CLIENT -t $TYPES_TESTS -P 16 -n $N_P16, $ROUNDS round(s)"
  echo "server,round,test,rps" >"$RESULTS_DIR/types-runs.csv"
  local round
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
      types_throughput_one ember "$round"
      types_throughput_one redis "$round"
    else
      types_throughput_one redis "$round"
      types_throughput_one ember "$round"
    fi
  done
}
