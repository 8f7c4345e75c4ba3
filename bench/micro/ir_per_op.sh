#!/usr/bin/env bash
# Usage: bash bench/micro/ir_per_op.sh BENCH_BINARY BENCHMARK_NAME [N1=20000] [N2=220000]
# (lists only: the record heap reserves more address space than valgrind allows)
# Instructions per operation of one micro benchmark in a build: (Ir(N2) - Ir(N1)) / (N2 - N1)
# under callgrind, so start-up and the benchmark's own set-up cancel out.
bin=$1 filter=$2 n1=${3:-20000} n2=${4:-220000}
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --iterations="$1" \
    --benchmark_filter="^$filter/" 2>&1 | awk '/Collected/ {print $4}'
}
a=$(ir "$n1"); b=$(ir "$n2")
awk -v a="$a" -v b="$b" -v n="$((n2 - n1))" 'BEGIN { printf "%.1f\n", (b - a) / n }'
