#!/usr/bin/env bash
# Runs every test stage after `make build`, keeps going after a failure so one
# run shows everything, and ends with the native doctest summary.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
mkdir -p build/logs
passed=0; failed=0; failures=()

stage() {  # stage NAME COMMAND...
  local name=$1; shift
  echo "=== $name: $*"
  local t0=$SECONDS
  if "$@" 2>&1 | tee "build/logs/$name.log"; then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - t0)) s, log build/logs/$name.log)"
  fi
}

# Tests that write files do so in a scratch dir, never in the tree.
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT

# quiet_stage NAME COMMAND...: like stage, for two at once: output only to the log, the outcome
# to build/logs/NAME.result ("ok|FAILED SECONDS"), read by report_stage afterwards.
quiet_stage() {
  local name=$1; shift
  local t0=$SECONDS rc=0
  "$@" >"build/logs/$name.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then echo "ok $((SECONDS - t0))"; else echo "FAILED $((SECONDS - t0))"; fi >"build/logs/$name.result"
}
report_stage() {  # NAME: its log (the tail when it passed), its outcome, counted
  local name=$1 outcome secs
  read -r outcome secs <"build/logs/$name.result" 2>/dev/null || { outcome=FAILED; secs=?; }
  echo "=== $name"
  if [ "$outcome" = ok ]; then
    tail -n 4 "build/logs/$name.log"
    passed=$((passed + 1)); echo "=== $name: ok ($secs s)"
  else
    cat "build/logs/$name.log"
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($secs s, log build/logs/$name.log)"
  fi
}

# The doctest suites and the crash test are CPU-bound and assert nothing about wall time: two at a time on
# the CI's 2 cores. The ASan + UBSan build (make sanitize) is split in two by source file (the
# label-review tests train detectors and are a third of its time); any report fails its half.
# halt_on_error keeps the first report readable; leaks are errors (detect_leaks is on by default).
ASAN_A='*tests/ui/labels*,*tests/labels/*'
asan_run() (  # SCRATCH-SUBDIR doctest filter arguments...; a subshell: the cd stays in it
  dir="$scratch/$1"; shift
  mkdir -p "$dir" && cd "$dir" && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$ROOT/build/asan/fieldkit-tests" --no-colors "$@"
)
ROOT=$PWD
# The two halves must add up to the whole suite: a filter that drifts must not drop tests silently.
count() { "$ROOT/build/asan/fieldkit-tests" --count "$@" 2>/dev/null | sed -n 's/.*current filters: //p'; }
n_all=$(count) n_a=$(count -sf="$ASAN_A") n_b=$(count -sfe="$ASAN_A")
echo "=== native-sanitize: $n_all test cases, split $n_a + $n_b"
if [ -z "$n_all" ] || [ "$((n_a + n_b))" != "$n_all" ]; then
  echo "=== native-sanitize: the split does not cover the suite ($n_a + $n_b != $n_all)"; failed=$((failed + 1)); failures+=(native-sanitize-split)
fi
t0=$SECONDS
# Two lanes of about equal length (a fresh clone's run: sanitize-b 450 s | sanitize-a 181 + crash 37 +
# native 117 + wasm 150 s); the pool lasts as long as its longer lane.
echo "=== native-sanitize-b | native-sanitize-a, features-crash, native-doctest, wasm-doctest: two at a time (logs in build/logs/)"
{
  quiet_stage native-sanitize-b asan_run b -sfe="$ASAN_A"
} &
{
  quiet_stage native-sanitize-a asan_run a -sf="$ASAN_A"
  # Feature store: 20 SIGKILLs mid-ingest through the real CLI; every acknowledged record must be there.
  quiet_stage features-crash bash tests/features/crash_test.sh build/native/fieldkit-cli
  quiet_stage native-doctest bash -c "mkdir -p '$scratch/n' && cd '$scratch/n' && '$ROOT/build/native/fieldkit-tests' --no-colors"
  quiet_stage wasm-doctest bash -c "mkdir -p '$scratch/w' && cd '$scratch/w' && node --no-experimental-fetch '$ROOT/build/cmake-wasm/bin/fieldkit-tests.js' --no-colors"
} &
wait
for s in native-sanitize-a native-sanitize-b native-doctest wasm-doctest features-crash; do report_stage $s; done
echo "=== the doctest suites took $((SECONDS - t0)) s"

# The browser and desktop stages run after the pool. In the browser stage the cases that time what the page
# measures run alone, the others two at a time (tests/e2e/cases.mjs SERIAL; e2e.mjs --jobs).
stage serve python3 tests/serve_test.py
# The offline store through outside readers: DuckDB and hyparquet read the Parquet parts the CLI wrote.
stage features-readers node tests/features/duckdb_check.mjs build/native/fieldkit-cli
stage e2e node tests/e2e/e2e.mjs --serve build/web --out build/e2e
stage desktop bash tests/desktop_smoke.sh

echo
echo "screenshots: build/e2e/*.png, build/desktop/*.png"
if [ $failed -gt 0 ]; then echo "failed stages: ${failures[*]}"; fi
echo "stages: $passed passed, $failed failed"
# The closing lines are the native doctest summary (the full suite), as promised in the README.
tail -n 3 build/logs/native-doctest.log
[ $failed -eq 0 ]
