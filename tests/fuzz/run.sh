#!/usr/bin/env bash
# Runs each libFuzzer target named (resp-parser ...) for FUZZ_SECONDS, one after another, from
# its seeds (tests/fuzz/corpus/<target>, read only) and the corpus grown by earlier runs
# (build/fuzz/corpus/<target>). A crash is written to FUZZ_CRASH_DIR/<target>-crash-<sha1>;
# the run fails if any target found one. Logs: build/fuzz/logs/<target>.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
CRASH_DIR=${FUZZ_CRASH_DIR:-$PWD/build/fuzz/crashes}
mkdir -p "$CRASH_DIR" build/fuzz/logs
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
[[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]] &&
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
failed=()
for target in "$@"; do
  corpus=build/fuzz/corpus/$target
  log=build/fuzz/logs/$target.log
  mkdir -p "$corpus"
  # -timeout: one input that runs 25 s is a hang; -rss_limit_mb: one that takes 2 GB a leak.
  build/fuzz/"$target"-fuzz -max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$CRASH_DIR/$target-" \
    "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if [[ $rc -ne 0 ]]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $rc) after ${runs:-?} runs; see $log and $CRASH_DIR/"
    grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5
  else
    echo "fuzz: $target ok: ${runs:-?} runs in ${SECONDS_EACH}s, corpus $(ls "$corpus" | wc -l) inputs"
  fi
done
[[ ${#failed[@]} -eq 0 ]] || { echo "fuzz: crashes in ${failed[*]}"; exit 1; }
