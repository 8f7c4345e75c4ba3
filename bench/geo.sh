#!/usr/bin/env bash
# Geo side by side: ember vs Debian's redis-server, same machine, same run.
#
#   bash bench/geo.sh [--points N] [--requests N] [--client loadgen|redis-benchmark]
#
# Loads N points (default 1M, random over lon -10..10, lat 40..55, members m:%012d) into one
# sorted set with GEOADD, then runs the client (ember-loadgen by default, see
# lib/command_bench.sh; 50 clients, pipeline 1 and 16, random member) on: GEOSEARCH FROMMEMBER BYRADIUS 5 km (~40 matches), the same with COUNT 10 ASC
# WITHDIST, and GEOADD of random members. ember runs --shards 1; servers on core 0, the
# client on core 1. Report on stdout (markdown): ops/s and server CPU µs per request.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=bench/lib/command_bench.sh
source "$BENCH_DIR/lib/command_bench.sh"

POINTS=1000000
REQUESTS=200000
CLIENT=loadgen
while [[ $# -gt 0 ]]; do
  case $1 in
    --points) POINTS=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --client) CLIENT=${2:?}; shift ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
setup_side_by_side geo

# The load as RESP: GEOADD g lon lat member ... in batches of 1000 points.
"$PY" - "$POINTS" >"$WORKDIR/load.resp" <<'EOF'
import random, sys
n = int(sys.argv[1])
rng = random.Random(1)
out = sys.stdout.buffer
for start in range(0, n, 1000):
    args = [b"GEOADD", b"g"]
    for i in range(start, min(n, start + 1000)):
        args += [b"%.6f" % rng.uniform(-10, 10), b"%.6f" % rng.uniform(40, 55), b"m:%012d" % i]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
EOF

# bench PIPELINE ARGS...: "ops cpu" of the command line ARGS (P1 gets a fifth of the requests).
bench() {
  local pipeline=$1 n=$REQUESTS
  shift
  ((pipeline == 1)) && n=$((REQUESTS / 5))
  bench_command "$pipeline" "$n" "$POINTS" "$@"
}

# run_all TEMPLATE: loads the points, prints an "ops cpu" pair per measurement, then load_s.
run_all() {
  start_server bench "$1" "$WORKDIR/server.log"
  local t0 t1
  t0=$(date +%s.%N)
  redis-cli -p "$SERVER_PORT" --pipe <"$WORKDIR/load.resp" >/dev/null
  t1=$(date +%s.%N)
  local card
  card=$(redis-cli -p "$SERVER_PORT" ZCARD g)
  [[ $card == "$POINTS" ]] || die "loaded $card points, expected $POINTS"
  local out=()
  for p in 16 1; do
    out+=("$(bench "$p" GEOSEARCH g FROMMEMBER m:__rand_int__ BYRADIUS 5 km)")
  done
  for p in 16 1; do
    out+=("$(bench "$p" GEOSEARCH g FROMMEMBER m:__rand_int__ BYRADIUS 5 km COUNT 10 ASC WITHDIST)")
  done
  for p in 16 1; do
    out+=("$(bench "$p" GEOADD g2 2.349014 48.864716 m:__rand_int__)")
  done
  stop_server "$SERVER_PID"
  echo "${out[*]} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}

read -ra R < <(run_all "$REDIS --port {port} --bind 127.0.0.1 --save '' --appendonly no")
SERVER_CPUS=0
read -ra E < <(run_all "$EMBER --port {port} --shards 1")

echo "## Geo, ember --shards 1 / Redis ($POINTS points, $REQUESTS requests at P16, 50 clients, client $CLIENT, $(date -u +%F))"
echo
ratio_header
names=("GEOSEARCH FROMMEMBER BYRADIUS 5 km" "GEOSEARCH FROMMEMBER BYRADIUS 5 km" \
  "GEOSEARCH ... COUNT 10 ASC WITHDIST" "GEOSEARCH ... COUNT 10 ASC WITHDIST" \
  "GEOADD (random member)" "GEOADD (random member)")
pipes=(16 1 16 1 16 1)
for i in 0 1 2 3 4 5; do
  ratio_row "${names[$i]}" "${pipes[$i]}" "${E[$((2 * i))]}" "${R[$((2 * i))]}" \
    "${E[$((2 * i + 1))]}" "${R[$((2 * i + 1))]}"
done
echo
echo "Load of the points (redis-cli --pipe): ember ${E[12]} s, Redis ${R[12]} s."
