#!/usr/bin/env bash
# TLS side by side: ember vs Debian's redis-server (built with TLS), same machine, same run.
#
#   bash bench/tls.sh [--requests N]
#
# GET and SET (random keys out of 100k, 16 B values) over TLS at pipeline 16, 50 clients, with
# redis-benchmark --tls (ember-loadgen speaks no TLS). Both servers get one core (ember
# --shards 1, core 0); redis-benchmark runs on core 1. Certificates are made with openssl in a
# scratch directory. Prints requests/s, server CPU per request and their ratios (markdown).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

REQUESTS=1000000
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) REQUESTS=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side tls
command -v redis-benchmark >/dev/null || die "redis-benchmark not found (Debian's redis-tools)"

make_certs() {
  (
    cd "$WORKDIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bench-ca
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt \
      -days 2 -extfile server.ext
  ) >/dev/null 2>&1 || die "openssl failed to make the certificates"
}
make_certs
TLS_FLAGS="--tls-cert-file $WORKDIR/server.crt --tls-key-file $WORKDIR/server.key --tls-auth-clients no"

# run_one TEMPLATE TEST: TEMPLATE has {port} (plain) and {tls} (the TLS port); prints
# "rps cpu_us_per_request p50_ms".
run_one() {
  local tls_port
  tls_port=$(free_port)
  start_server bench "${1//\{tls\}/$tls_port}" "$WORKDIR/server.log"
  local c0 c1 line rps p50
  c0=$(cpu_ticks "$SERVER_PID")
  line=$(timeout 300 taskset -c 1 redis-benchmark -h 127.0.0.1 -p "$tls_port" --tls \
    --cacert "$WORKDIR/ca.crt" -c 50 -P 16 -n "$REQUESTS" -r 100000 -d 16 -t "$2" --csv -q |
    tail -n 1) || die "redis-benchmark failed"
  c1=$(cpu_ticks "$SERVER_PID")
  require_alive "$SERVER_PID" "server"
  stop_server "$SERVER_PID"
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
  IFS=, read -r _ rps _ _ p50 _ <<<"${line//\"/}"
  awk -v r="$rps" -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$REQUESTS" -v p="$p50" \
    'BEGIN { printf "%.0f %.3f %s\n", r, t / hz * 1e6 / n, p }'
}

echo "## TLS GET/SET at pipeline 16, ember / Redis ($REQUESTS requests, 50 clients, $(date -u +%F))"
echo
echo "| test | ember req/s | Redis req/s | ratio | ember CPU us/req | Redis CPU us/req | CPU ratio | ember p50 ms | Redis p50 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for test in set get; do
  read -r r_rps r_cpu r_p50 < <(run_one "$REDIS --port {port} --tls-port {tls} --bind 127.0.0.1 --save '' --appendonly no $TLS_FLAGS" "$test")
  read -r e_rps e_cpu e_p50 < <(run_one "$EMBER --port {port} --tls-port {tls} --shards 1 $TLS_FLAGS" "$test")
  awk -v t="${test^^}" -v a="$e_rps" -v b="$r_rps" -v c="$e_cpu" -v d="$r_cpu" -v e="$e_p50" -v f="$r_p50" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %.3f | %.3f | %.2fx | %s | %s |\n", t, a, b, a / b, c, d, (d > 0 ? c / d : 0), e, f }'
done
