#!/usr/bin/env bash
# Where a server's CPU goes under one workload, and who saturates: the server or the client.
#
#   bash bench/profile.sh [--client loadgen|redis-benchmark] [--test T] [--prefill T]
#                         [--pipeline P] [--requests N] [--shards S] [--clients C] [--size D]
#                         [--perf] BIN|redis
#
# Starts the server on core 0 (BIN is an ember-server binary, run with --shards S, default 1,
# on the cores SERVER_CPUS names, default 0; "redis" means redis-server),
# runs --prefill first if given (e.g. --prefill zadd before --test zpopmin), then the test
# from core 1 with -c C (default 50) -r 100000 -d D (default 16). Prints the ops/s, the server's
# CPU share (utime + stime from /proc) and CPU per request split into its own code (utime) and
# the kernel's (stime), how often per request its threads went to sleep (voluntary context
# switches), the client's CPU share (bash `time`), all over the run, and with --perf, from a 2 s
# `perf record -g` of the server 0.5 s into the run: the kernel/user split, the share of the
# TCP send and receive paths, and the top symbols by self time (perf's own overhead slows the
# server a little meanwhile).
# shellcheck source=bench/lib/servers.sh
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
source "$BENCH_DIR/lib/servers.sh"

CLIENT=loadgen TEST=get PREFILL="" PIPELINE=16 REQUESTS=3000000 PERF=0 SHARDS=1 BIN=""
CLIENTS=50 SIZE=16
while [[ $# -gt 0 ]]; do
  case $1 in
    --client) CLIENT=${2:?}; shift ;;
    --test) TEST=${2:?}; shift ;;
    --prefill) PREFILL=${2:?}; shift ;;
    --pipeline) PIPELINE=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --shards) SHARDS=${2:?}; shift ;;
    --clients) CLIENTS=${2:?}; shift ;;
    --size) SIZE=${2:?}; shift ;;
    --perf) PERF=1 ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) BIN=$1 ;;
  esac
  shift
done
[[ -n $BIN ]] || die "name a server binary (or redis)"
case $CLIENT in
  loadgen) TOOL=${EMBER_LOADGEN:-$REPO/build/release/ember-loadgen} ;;
  redis-benchmark) TOOL=redis-benchmark ;;
  *) die "--client must be loadgen or redis-benchmark" ;;
esac
((PERF == 0)) || command -v perf >/dev/null || die "--perf needs perf (linux-perf)"
CLK_TCK=$(getconf CLK_TCK)
WORKDIR=$(mktemp -d /tmp/ember-profile.XXXXXX)
trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT

if [[ $BIN == redis ]]; then
  template="redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
else
  [[ -x $BIN ]] || die "not an executable: $BIN"
  template="$(realpath "$BIN") --host 127.0.0.1 --port {port} --shards $SHARDS"
fi
start_server "$BIN" "$template" "$WORKDIR/server.log" 2>/dev/null
client_args() {  # TEST REQUESTS
  echo -p "$SERVER_PORT" -c "$CLIENTS" -n "$2" -P "$PIPELINE" -r 100000 -d "$SIZE" -t "$1" --csv
}
if [[ -n $PREFILL ]]; then
  # shellcheck disable=SC2046
  timeout 300 taskset -c 1 "$TOOL" $(client_args "$PREFILL" 300000) >/dev/null ||
    die "$CLIENT failed (prefill)"
fi

if ((PERF)); then  # a 2 s sample from the middle of the run
  (sleep 0.5 && exec perf record -g -o "$WORKDIR/perf.data" -p "$SERVER_PID" -- sleep 2) \
    >/dev/null 2>&1 &
  perf_pid=$!
fi
# Voluntary context switches of all the server's threads: each is a sleep (and a wake-up).
sleeps() { cat /proc/"$SERVER_PID"/task/*/status | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }'; }
c0=$(cpu_ticks "$SERVER_PID") u0=$(cpu_user_ticks "$SERVER_PID") s0=$(sleeps)
# bash's `time` reports the client's own CPU (user, system) and the run's wall time.
TIMEFORMAT='%U %S %R'
# shellcheck disable=SC2046
{ time timeout 300 taskset -c 1 "$TOOL" $(client_args "$TEST" "$REQUESTS") \
    >"$WORKDIR/out.csv"; } 2>"$WORKDIR/client.time" || die "$CLIENT failed or timed out"
c1=$(cpu_ticks "$SERVER_PID") u1=$(cpu_user_ticks "$SERVER_PID") s1=$(sleeps)
((PERF == 0)) || wait "$perf_pid" || true
require_alive "$SERVER_PID" "$BIN"

tail -n +2 "$WORKDIR/out.csv" | tr -d '"' | awk -F, '{ printf "%s %.0f ops/s\n", $1, $2 }'
read -r user sys wall <"$WORKDIR/client.time"
awk -v c=$((c1 - c0)) -v cu=$((u1 - u0)) -v hz="$CLK_TCK" -v n="$REQUESTS" -v u="$user" -v s="$sys" \
  -v w="$wall" -v z=$((s1 - s0)) 'BEGIN {
    printf "server CPU %.0f%% (%.2f us/req: %.2f in its own code, %.2f in the kernel; %.3f sleeps/req), client CPU %.0f%%, over %.1f s\n",
           100 * c / hz / w, c / hz * 1e6 / n, cu / hz * 1e6 / n, (c - cu) / hz * 1e6 / n, z / n, 100 * (u + s) / w, w }'
if ((PERF)); then
  echo "-- CPU by object (kernel vs the server's own code):"
  perf report -i "$WORKDIR/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -4
  echo "-- time inside the network paths (with everything they call):"
  perf report -i "$WORKDIR/perf.data" --children --stdio -g none 2>/dev/null |
    grep -E '\[k\] (tcp_sendmsg|tcp_recvmsg|net_rx_action|io_queue_async|fget|epoll_wait|do_epoll_wait)$' || true
  echo "-- top symbols (self time):"
  perf report -i "$WORKDIR/perf.data" --no-children --percent-limit 1 --stdio -g none 2>/dev/null |
    grep '%' | head -30
fi
