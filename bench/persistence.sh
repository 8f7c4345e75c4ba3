#!/usr/bin/env bash
# Persistence side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/persistence.sh [--keys N] [--requests N]
#
# 1. SET 16 B at pipeline 16 with appendonly yes, appendfsync everysec and always (ops/s,
#    server CPU per op): group commit is what `always` measures.
# 2. BGSAVE of --keys keys while half of them are overwritten: the peak memory of the server
#    (ember: its PSS; Redis: parent + fork child PSS, i.e. copy-on-write counted once) over the
#    memory before, and GET p99 at pipeline 1 during snapshots over GET p99 idle.
# 3. Load time of the same dump.rdb (written by ember) at start.
# Servers on core 0 (ember --shards 1), ember-loadgen on core 1. Report on stdout (markdown).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

KEYS=1000000 REQUESTS=2000000
while [[ $# -gt 0 ]]; do
  case $1 in
    --keys) KEYS=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side persist

ember_cmd() { echo "$EMBER --port {port} --shards 1 --data-dir $1 ${*:2}"; }
redis_cmd() { echo "$REDIS --port {port} --bind 127.0.0.1 --save '' --dir $1 ${*:2}"; }

# loadgen ARGS...: runs on core 1; prints "rps p99_ms" of the single test.
loadgen() {
  local line
  line=$(timeout 300 taskset -c 1 "$LOADGEN" -h 127.0.0.1 -p "$SERVER_PORT" -c 50 --csv "$@" |
    tail -n 1) || die "loadgen failed: $*"
  IFS=, read -r _ rps _ _ _ _ p99 _ <<<"${line//\"/}"
  echo "$rps $p99"
}

pss_kb() {  # PSS of a process and its children (a fork child shares pages: counted once)
  local total=0 pid kb
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    kb=$(awk '/^Pss:/ { print $2 }' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + kb))
  done
  echo "$total"
}

cli() { redis-cli -p "$SERVER_PORT" "$@"; }
wait_saved() {  # until no BGSAVE runs, at most 120 s
  local i
  for ((i = 0; i < 1200; i++)); do
    [[ $(cli info persistence | tr -d '\r' | awk -F: '/^rdb_bgsave_in_progress/ { print $2 }') == 0 ]] && return
    sleep 0.1
  done
  die "BGSAVE did not finish"
}

echo "## Persistence, ember / Redis (keys $KEYS, requests $REQUESTS, $(date -u +%F))"
echo
echo "| workload | ember ops/s | Redis ops/s | ratio | ember CPU us/op | Redis CPU us/op | ratio |"
echo "|---|---|---|---|---|---|---|"
for fsync in everysec always; do
  declare -A RPS CPU
  for server in redis ember; do
    dir=$WORKDIR/aof-$server-$fsync
    mkdir -p "$dir"
    if [[ $server == ember ]]; then cmd=$(ember_cmd "$dir" --appendonly yes --appendfsync $fsync)
    else cmd=$(redis_cmd "$dir" --appendonly yes --appendfsync $fsync); fi
    start_server "$server" "$cmd" "$WORKDIR/$server-$fsync.log"
    c0=$(cpu_ticks "$SERVER_PID")
    read -r rps _ < <(loadgen -t set -P 16 -d 16 -r 100000 -n "$REQUESTS")
    c1=$(cpu_ticks "$SERVER_PID")
    RPS[$server]=$rps
    CPU[$server]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$REQUESTS" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')
    stop_server "$SERVER_PID"
  done
  awk -v w="SET 16B P16 appendfsync $fsync" -v a="${RPS[ember]}" -v b="${RPS[redis]}" \
    -v c="${CPU[ember]}" -v d="${CPU[redis]}" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx |\n", w, a, b, a / b, c, d, c / d }'
done

echo
echo "| snapshot | ember | Redis | ratio |"
echo "|---|---|---|---|"
declare -A PEAK GETIDLE GETSAVE LOAD
for server in ember redis; do
  dir=$WORKDIR/snap-$server
  mkdir -p "$dir"
  if [[ $server == ember ]]; then cmd=$(ember_cmd "$dir"); else cmd=$(redis_cmd "$dir"); fi
  start_server "$server" "$cmd" "$WORKDIR/$server-snap.log"
  loadgen -t set -P 16 -d 16 -r "$KEYS" -n $((KEYS * 3)) >/dev/null
  base=$(pss_kb "$SERVER_PID")
  read -r _ p99 < <(loadgen -t get -P 1 -r "$KEYS" -n 200000)
  GETIDLE[$server]=$p99
  # Peak memory while half the keys are overwritten during a BGSAVE.
  cli bgsave >/dev/null
  taskset -c 1 "$LOADGEN" -h 127.0.0.1 -p "$SERVER_PORT" -c 50 -t set -P 16 -d 16 -r "$KEYS" \
    -n $((KEYS / 2)) >/dev/null &
  lg=$!
  peak=$base
  while kill -0 $lg 2>/dev/null || [[ $(cli info persistence | tr -d '\r' | awk -F: '/^rdb_bgsave_in_progress/ { print $2 }') != 0 ]]; do
    now=$(pss_kb "$SERVER_PID")
    ((now > peak)) && peak=$now
    sleep 0.05
  done
  wait $lg || true
  PEAK[$server]=$(awk -v p="$peak" -v b="$base" 'BEGIN { printf "%.3f", p / b }')
  # GET p99 while snapshots run back to back.
  (for _ in $(seq 1 200); do cli bgsave >/dev/null 2>&1 || true; sleep 0.2; done) &
  saver=$!
  read -r _ p99 < <(loadgen -t get -P 1 -r "$KEYS" -n 200000)
  kill $saver 2>/dev/null || true
  wait $saver 2>/dev/null || true
  wait_saved
  GETSAVE[$server]=$p99
  if [[ $server == ember ]]; then cli save >/dev/null; cp "$dir/dump.rdb" "$WORKDIR/shared.rdb"; fi
  stop_server "$SERVER_PID"
done
for server in ember redis; do
  dir=$WORKDIR/load-$server
  mkdir -p "$dir"
  cp "$WORKDIR/shared.rdb" "$dir/dump.rdb"
  if [[ $server == ember ]]; then cmd=$(ember_cmd "$dir"); else cmd="$REDIS --port {port} --bind 127.0.0.1 --dir $dir"; fi
  t0=$EPOCHREALTIME
  start_server "$server" "$cmd" "$WORKDIR/$server-load.log"
  until cli ping 2>/dev/null | grep -q PONG; do sleep 0.01; done
  t1=$EPOCHREALTIME
  LOAD[$server]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  stop_server "$SERVER_PID"
done
row() { awk -v w="$1" -v a="$2" -v b="$3" 'BEGIN { printf "| %s | %s | %s | %.2fx |\n", w, a, b, a / b }'; }
row "peak memory during BGSAVE + 50% overwrites / before" "${PEAK[ember]}" "${PEAK[redis]}"
row "GET p99 P1 idle (ms)" "${GETIDLE[ember]}" "${GETIDLE[redis]}"
row "GET p99 P1 during BGSAVE (ms)" "${GETSAVE[ember]}" "${GETSAVE[redis]}"
awk -v a="${GETSAVE[ember]}" -v b="${GETIDLE[ember]}" -v c="${GETSAVE[redis]}" -v d="${GETIDLE[redis]}" \
  'BEGIN { printf "| GET p99 during BGSAVE / idle | %.2fx | %.2fx | |\n", a / b, c / d }'
row "load time of the same dump.rdb (s, start to PONG)" "${LOAD[ember]}" "${LOAD[redis]}"
