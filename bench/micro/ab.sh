#!/usr/bin/env bash
# Usage: bash bench/micro/ab.sh BEFORE_BENCH AFTER_BENCH [ROUNDS=8] [FILTER=.]
# Interleaves two ember-micro-bench builds ROUNDS times on one core; prints each benchmark's
# fastest CPU time per build (the minimum is what the machine's other load disturbs least).
before=$1 after=$2 rounds=${3:-8} filter=${4:-.}
out=$(mktemp -d)
for ((r = 0; r < rounds; r++)); do
  for side in before after; do
    bin=${!side}
    taskset -c 1 "$bin" --benchmark_filter="$filter" --benchmark_min_time=0.2 \
      --benchmark_format=csv 2>/dev/null | grep '^"BM' >>"$out/$side.csv"
  done
done
python3 - "$out" <<'PY'
import csv, sys, collections
best = collections.defaultdict(dict)
for side in ("before", "after"):
    for row in csv.reader(open(f"{sys.argv[1]}/{side}.csv")):
        name, cpu = row[0], float(row[3])
        best[name][side] = min(best[name].get(side, cpu), cpu)
print("%-22s %10s %10s %8s" % ("benchmark", "before ns", "after ns", "change"))
for name, b in best.items():
    print("%-22s %10.1f %10.1f %+7.1f%%" % (name, b["before"], b["after"], 100 * (b["after"] / b["before"] - 1)))
PY
rm -rf "$out"
