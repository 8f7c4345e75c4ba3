#!/usr/bin/env bash
# Side-by-side benchmark: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/compare.sh [--quick] [--rounds N] [--keys N] [--no-memory] [--no-throughput] [--no-types]
#                         [--client redis-benchmark|loadgen]
#
# Servers run pinned to core 0, the load generator / redis-cli pinned to core 1. The load
# generator is redis-benchmark, or with --client loadgen our ember-loadgen (same workloads and
# options, ~5x less client CPU per request, so the server rather than the client saturates).
# Progress goes to stderr, the markdown report to stdout; raw results are kept
# in bench/results/<timestamp>/. Exit status is 0 whatever the bars say and
# non-zero only when something broke (start failure, benchmark error, DBSIZE).
# See bench/README.md for the method and what each column means.
#
# Environment:
#   EMBER_SERVER  ember binary (default: build/release/ember-server)
#   EMBER_CMD     full ember command line with {port}; overrides EMBER_SERVER
#   REDIS_SERVER  redis-server binary (default: redis-server on PATH)
#   REDIS_CMD     full redis command line with {port}; overrides REDIS_SERVER
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

QUICK=0 ROUNDS=3 KEYS=1000000 DO_MEMORY=1 DO_THROUGHPUT=1 DO_TYPES=1 CLIENT=redis-benchmark
while [[ $# -gt 0 ]]; do
  case $1 in
    --client) CLIENT=${2:?--client needs a value}; shift ;;
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift ;;
    --no-types) DO_TYPES=0 ;;
    --keys) KEYS=${2:?--keys needs a value}; shift ;;
    --no-memory) DO_MEMORY=0 ;;
    --no-throughput) DO_THROUGHPUT=0 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $KEYS =~ ^[1-9][0-9]*$ ]] || die "--keys must be a positive integer"
case $CLIENT in
  redis-benchmark) BENCH_TOOL=redis-benchmark ;;
  loadgen)
    BENCH_TOOL=${EMBER_LOADGEN:-$REPO/build/release/ember-loadgen}
    [[ -x $BENCH_TOOL ]] || die "ember-loadgen not found at $BENCH_TOOL (run: make release)"
    ;;
  *) die "--client must be redis-benchmark or loadgen" ;;
esac

# ---- workload parameters -----------------------------------------------------
CLIENTS=50
KEYSPACE=100000              # redis-benchmark -r
N_P1=200000 N_P16=2000000    # requests per run; ~2-4 s each on one core
if ((QUICK)); then N_P1=$((N_P1 / 10)) N_P16=$((N_P16 / 10)); fi
VALUE_SIZES=(16 256)
PIPELINES=(1 16)
TTL=100000                   # EX seconds for the memory-with-TTL load
CLK_TCK=$(getconf CLK_TCK)

# ---- tools and commands ------------------------------------------------------
for tool in taskset timeout redis-benchmark redis-cli getconf awk; do
  command -v "$tool" >/dev/null || die "$tool not found (bash scripts/install-deps.sh)"
done
[[ $(nproc) -ge 2 ]] || log "warning: fewer than 2 cores; pinning to cores 0 and 1 will fail"

if [[ -n ${EMBER_CMD:-} ]]; then
  EMBER_TEMPLATE=$EMBER_CMD
else
  EMBER_BIN=${EMBER_SERVER:-$REPO/build/release/ember-server}
  [[ -x $EMBER_BIN ]] || die "ember binary not found at $EMBER_BIN (run: make release)"
  EMBER_TEMPLATE="$(printf %q "$EMBER_BIN") --host 127.0.0.1 --port {port} --shards 1"
fi
if [[ -n ${REDIS_CMD:-} ]]; then
  REDIS_TEMPLATE=$REDIS_CMD
else
  REDIS_BIN=${REDIS_SERVER:-$(command -v redis-server || true)}
  [[ -n $REDIS_BIN && -x $REDIS_BIN ]] || die "redis-server not found (bash scripts/install-deps.sh)"
  REDIS_TEMPLATE="$(printf %q "$REDIS_BIN") --port {port} --bind 127.0.0.1 --save '' --appendonly no --protected-mode no"
fi
[[ $EMBER_TEMPLATE == *"{port}"* && $REDIS_TEMPLATE == *"{port}"* ]] ||
  die "EMBER_CMD / REDIS_CMD must contain {port}"
template_for() { if [[ $1 == ember ]]; then echo "$EMBER_TEMPLATE"; else echo "$REDIS_TEMPLATE"; fi; }

STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS_DIR=$BENCH_DIR/results/$STAMP
mkdir -p "$RESULTS_DIR"
WORKDIR=$(mktemp -d /tmp/ember-bench.XXXXXX)   # servers' cwd: nothing lands in the repo
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all_servers
  rm -rf "$WORKDIR"
  exit "$rc"
}
trap cleanup EXIT
# The harness itself (this shell, awk, the loaders) stays off the servers' core;
# servers are started with taskset -c 0, which overrides this for them.
taskset -cp 1 $$ >/dev/null
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME TAG: fresh server; for redis, double-check that persistence is off.
# Records the server's PID and port in PID_OF[NAME] and PORT_OF[NAME].
declare -A PID_OF PORT_OF
start() {
  local name=$1 tag=$2
  start_server "$name" "$(template_for "$name")" "$RESULTS_DIR/$name-$tag.log"
  PID_OF[$name]=$SERVER_PID PORT_OF[$name]=$SERVER_PORT
  if [[ $name == redis ]]; then
    local save aof
    save=$(timeout 5 redis-cli -h 127.0.0.1 -p "$SERVER_PORT" CONFIG GET save | sed -n 2p)
    aof=$(timeout 5 redis-cli -h 127.0.0.1 -p "$SERVER_PORT" CONFIG GET appendonly | sed -n 2p)
    [[ -z $save && $aof == no ]] || die "redis persistence is on (save='$save' appendonly='$aof')"
  fi
}
other_of() { if [[ $1 == ember ]]; then echo redis; else echo ember; fi; }

# ---- throughput / latency / CPU --------------------------------------------
RUNS_CSV=$RESULTS_DIR/runs.csv
echo "round,position,server,workload,command,value_bytes,pipeline,requests,wall_s,rps,avg_ms,p50_ms,p99_ms,cpu_ticks,clk_tck,idle_other_ticks,foreign_core0_ticks" >"$RUNS_CSV"

# bench_one ROUND POSITION SERVER CMD SIZE PIPELINE
# One redis-benchmark run against SERVER; the other server is up but idle, and
# its CPU during the run is recorded too (idle_other_ticks) to catch a server
# that burns CPU while idle and so steals core 0 from the one being measured,
# and so is the CPU that anything else took on core 0 (foreign_core0_ticks).
bench_one() {
  local round=$1 pos=$2 server=$3 cmd=$4 size=$5 pipeline=$6
  local pid=${PID_OF[$server]} port=${PORT_OF[$server]} other
  other=$(other_of "$server")
  local opid=${PID_OF[$other]}
  local n=$N_P1 test=${cmd^^}
  ((pipeline > 1)) && n=$N_P16
  local workload="$test ${size}B P$pipeline"
  # Bound: assume at least 2k req/s per pipeline slot, plus start-up slack.
  local limit=$((n / (2000 * pipeline) + 15))
  local out=$RESULTS_DIR/rb.out err=$RESULTS_DIR/rb.err
  local t0 t1 c0 c1 o0 o1 k0 k1
  c0=$(cpu_ticks "$pid")
  o0=$(cpu_ticks "$opid")
  k0=$(cpu0_busy_ticks)
  t0=$EPOCHREALTIME
  if ! timeout "$limit" taskset -c 1 "$BENCH_TOOL" -h 127.0.0.1 -p "$port" \
    -t "$cmd" -n "$n" -c "$CLIENTS" -d "$size" -P "$pipeline" -r "$KEYSPACE" --csv \
    >"$out" 2>"$err"; then
    cat "$err" >&2
    die "$CLIENT failed or timed out (${limit}s): $server $workload"
  fi
  t1=$EPOCHREALTIME
  c1=$(cpu_ticks "$pid")
  o1=$(cpu_ticks "$opid")
  k1=$(cpu0_busy_ticks)
  require_alive "$pid" "$server"
  if grep -q "Error" "$err"; then cat "$err" >&2; die "$CLIENT reported errors: $server $workload"; fi
  local line
  line=$(grep "^\"$test\"," "$out" | tail -n 1) || { cat "$out" "$err" >&2; die "no CSV row for $test"; }
  local rps avg p50 p99 _
  IFS=, read -r _ rps avg _ p50 _ p99 _ <<<"${line//\"/}"
  awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || die "zero throughput: $server $workload"
  local wall ticks=$((c1 - c0)) oticks=$((o1 - o0))
  local fticks=$((k1 - k0 - ticks - oticks))
  ((fticks < 0)) && fticks=0
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  echo "$round,$pos,$server,$workload,$cmd,$size,$pipeline,$n,$wall,$rps,$avg,$p50,$p99,$ticks,$CLK_TCK,$oticks,$fticks" >>"$RUNS_CSV"
  log "$(awk -v s="$server" -v w="$workload" -v r="$rps" -v t="$ticks" -v hz="$CLK_TCK" -v n="$n" \
    -v p50="$p50" -v p99="$p99" -v wall="$wall" \
    'BEGIN { printf "    %-5s %-12s %10.0f ops/s %7.2f us CPU/req  p50 %s p99 %s ms  (%ss)", s, w, r, t / hz * 1e6 / n, p50, p99, wall }')"
  if awk -v o="$oticks" -v hz="$CLK_TCK" -v w="$wall" 'BEGIN { exit !(o > 5 && o / hz > 0.05 * w) }'; then
    log "    warning: idle $other used $oticks ticks of CPU during this run (>5% of core 0)"
  fi
  if awk -v f="$fticks" -v hz="$CLK_TCK" -v w="$wall" 'BEGIN { exit !(f > 10 && f / hz > 0.05 * w) }'; then
    log "    warning: other processes took $fticks ticks of core 0 during this run (>5%); noisy"
  fi
}

# A round: both servers fresh; each workload runs on the first server and then
# on the second, so a pair is measured seconds apart. GET follows the SET of
# the same value size and pipeline, so most of its keys exist.
bench_round() {
  local round=$1 first=$2 second=$3 size pipeline cmd
  log "  [round $round/$ROUNDS] order: $first, $second"
  start "$first" "r$round"
  start "$second" "r$round"
  for size in "${VALUE_SIZES[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      for cmd in set get; do
        bench_one "$round" 1 "$first" "$cmd" "$size" "$pipeline"
        bench_one "$round" 2 "$second" "$cmd" "$size" "$pipeline"
      done
    done
  done
  stop_server "${PID_OF[$first]}"
  stop_server "${PID_OF[$second]}"
}

if ((DO_THROUGHPUT)); then
  log "throughput: $CLIENT, $ROUNDS round(s), -c $CLIENTS -r $KEYSPACE, -n $N_P1 (P1) / $N_P16 (P16)"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' &&
    log "warning: load average is $load1 before starting; other work on this machine adds noise"
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2 == 1)); then bench_round "$round" ember redis; else bench_round "$round" redis ember; fi
  done
  rm -f "$RESULTS_DIR/rb.out" "$RESULTS_DIR/rb.err"
else
  log "throughput: skipped (--no-throughput)"
fi

# ---- memory ------------------------------------------------------------------
MEM_CSV=$RESULTS_DIR/memory.csv
# mem_one SERVER VARIANT: fresh server, RSS before, load KEYS keys, RSS after.
mem_one() {
  local server=$1 variant=$2 ttl_args=() before after dbsize
  [[ $variant == ttl ]] && ttl_args=(--ttl "$TTL")
  [[ $variant == value256 ]] && ttl_args=(--value-size 256)
  start "$server" "mem-$variant"
  sleep 0.5
  before=$(rss_bytes "$SERVER_PID")
  local loadlog=$RESULTS_DIR/load-$server-$variant.log
  if ! taskset -c 1 "$PY" "$BENCH_DIR/lib/gen_resp.py" "$KEYS" "${ttl_args[@]}" |
    timeout 600 taskset -c 1 redis-cli -h 127.0.0.1 -p "$SERVER_PORT" --pipe >"$loadlog" 2>&1; then
    cat "$loadlog" >&2
    die "loading $KEYS keys into $server failed"
  fi
  grep -q "errors: 0, replies: $KEYS\$" "$loadlog" || { cat "$loadlog" >&2; die "$server: load errors"; }
  sleep 1
  require_alive "$SERVER_PID" "$server"
  after=$(rss_bytes "$SERVER_PID")
  dbsize=$(timeout 10 redis-cli -h 127.0.0.1 -p "$SERVER_PORT" DBSIZE)
  [[ $dbsize == "$KEYS" ]] || die "$server: DBSIZE is '$dbsize' after loading $KEYS keys ($variant)"
  echo "$server,$variant,$KEYS,$before,$after,$dbsize" >>"$MEM_CSV"
  log "$(awk -v s="$server" -v v="$variant" -v a="$before" -v b="$after" -v k="$KEYS" \
    'BEGIN { printf "    %-5s %-5s RSS %.1f -> %.1f MiB  %.1f B/key", s, v, a / 1048576, b / 1048576, (b - a) / k }')"
  stop_server "$SERVER_PID"
}

if ((DO_MEMORY)); then
  log "memory: $KEYS keys key:%010d, 16-byte values plain and with EX $TTL; 256-byte values"
  echo "server,variant,keys,rss_before,rss_after,dbsize" >"$MEM_CSV"
  for variant in plain ttl value256; do
    mem_one ember "$variant"
    mem_one redis "$variant"
  done
else
  log "memory: skipped (--no-memory)"
fi

# ---- data types ----------------------------------------------------------------
source "$BENCH_DIR/lib/types.sh"
if ((DO_TYPES)); then
  run_types
else
  log "types: skipped (--no-types)"
fi

# ---- report ------------------------------------------------------------------
cat >"$RESULTS_DIR/meta.txt" <<EOF
date: $(date -Is)
git: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
host: $(uname -srm), $(nproc --all) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
ember: $EMBER_TEMPLATE
redis: $REDIS_TEMPLATE ($(redis-server --version | awk '{ print $3 }'))
client: $CLIENT
mode: $([[ $QUICK == 1 ]] && echo quick || echo full), rounds=$ROUNDS, keys=$KEYS, clients=$CLIENTS, keyspace=$KEYSPACE, n=$N_P1/$N_P16
EOF
TITLE="ember vs redis-server $(redis-server --version | awk '{ print $3 }' | sed 's/v=//'): $(
  [[ $QUICK == 1 ]] && echo quick || echo full) run, $ROUNDS round(s), load from $CLIENT, medians; ratio = ember / redis"
"$PY" "$BENCH_DIR/lib/report.py" "$RESULTS_DIR" --title "$TITLE"
log "raw results: $RESULTS_DIR"
