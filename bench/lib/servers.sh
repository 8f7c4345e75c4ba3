# shellcheck shell=bash
# Server lifecycle and /proc readers for bench/compare.sh. Sourced, not executed.
#
# Every server this file starts is recorded in LIVE_PIDS and stopped by PID
# (never by name); stop_all_servers is what compare.sh's EXIT trap calls.

LIVE_PIDS=()

# The benchmarks' Python: Debian's python3, the one the tests use, unless PY names another.
PY=${PY:-/usr/bin/python3}
[[ -x $PY ]] || PY=python3

log() { printf '%s\n' "$*" >&2; }
die() { log "compare.sh: error: $*"; exit 1; }

# A loopback port that nothing is listening on right now.
free_port() {
  "$PY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# Fields 3 on of /proc/PID/stat into STAT_FIELDS, parsed after the last ')' because the
# command name (field 2) may itself contain spaces or parentheses: STAT_FIELDS[0] is field 3
# (state), [11] field 14 (utime), [12] field 15 (stime), for all threads, in clock ticks.
read_stat_fields() {
  local stat
  stat=$(</proc/"$1"/stat)
  read -ra STAT_FIELDS <<<"${stat##*) }"
}

# utime + stime of the whole process (all threads), in clock ticks.
cpu_ticks() {
  read_stat_fields "$1"
  echo $((STAT_FIELDS[11] + STAT_FIELDS[12]))
}

# utime alone: the process's own code, not the kernel's.
cpu_user_ticks() {
  read_stat_fields "$1"
  echo "${STAT_FIELDS[11]}"
}

# Busy ticks of core 0 so far (user nice system irq softirq steal of the cpu0
# line of /proc/stat, in clock ticks). Minus the servers' own ticks this is
# CPU that something else took from core 0 during a run: the noise gauge.
cpu0_busy_ticks() {
  awk '$1 == "cpu0" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# Resident set size in bytes (VmRSS of /proc/PID/status is in kB).
rss_bytes() {
  awk '/^VmRSS:/ { printf "%.0f\n", $2 * 1024; found = 1 } END { if (!found) exit 1 }' /proc/"$1"/status
}

# start_server NAME TEMPLATE LOGFILE
# TEMPLATE is a shell command line with {port}; it is run pinned to core 0 (or to
# $SERVER_CPUS, a taskset list, where a script sets it) from
# $WORKDIR (so nothing can land in the repo). Sets SERVER_PID and SERVER_PORT.
# The subshell, taskset and bash all exec, so $! is the server's own PID.
start_server() {
  local name=$1 template=$2 logfile=$3
  SERVER_PORT=$(free_port)
  local cmd=${template//\{port\}/$SERVER_PORT}
  printf '%s\n' "$cmd" >"$logfile"
  (cd "$WORKDIR" && exec taskset -c "${SERVER_CPUS:-0}" bash -c "exec $cmd") >>"$logfile" 2>&1 &
  SERVER_PID=$!
  LIVE_PIDS+=("$SERVER_PID")
  local i
  for ((i = 0; i < 100; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "$name exited during startup (command: $cmd)"
    fi
    # Ready = accepts a TCP connection (no command assumed; benchmarks check replies).
    if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SERVER_PORT" 2>/dev/null; then
      log "  started $name pid=$SERVER_PID port=$SERVER_PORT"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$logfile" >&2 || true
  die "$name did not accept connections within 10 s (command: $cmd)"
}

# stop_server PID: SIGTERM, up to 10 s grace, then SIGKILL; always reaped.
stop_server() {
  local pid=$1 i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "  pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  local -a keep=()
  local p
  for p in "${LIVE_PIDS[@]}"; do
    [[ $p == "$pid" ]] || keep+=("$p")
  done
  LIVE_PIDS=("${keep[@]}")
}

stop_all_servers() {
  local p
  for p in "${LIVE_PIDS[@]}"; do
    stop_server "$p"
  done
}

# The server must still be alive after a benchmark step, or the run is void.
require_alive() {
  kill -0 "$1" 2>/dev/null || die "$2 (pid $1) died; see its log in $RESULTS_DIR"
}

# setup_side_by_side NAME: what a side-by-side script needs: EMBER, LOADGEN and REDIS (overridable
# with EMBER_SERVER, EMBER_LOADGEN, REDIS_SERVER), a WORKDIR removed at exit with every server
# stopped, and CLK_TCK. Needs REPO.
setup_side_by_side() {
  EMBER=${EMBER_SERVER:-$REPO/build/release/ember-server}
  LOADGEN=${EMBER_LOADGEN:-$REPO/build/release/ember-loadgen}
  REDIS=${REDIS_SERVER:-redis-server}
  [[ -x $EMBER && -x $LOADGEN ]] || die "build first (make release)"
  WORKDIR=$(mktemp -d "/tmp/ember-$1-bench.XXXXXX")
  trap 'stop_all_servers; rm -rf "$WORKDIR"' EXIT
  CLK_TCK=$(getconf CLK_TCK)
}
