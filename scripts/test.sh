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
stage wasm-doctest bash -c "cd '$scratch' && node --no-experimental-fetch '$PWD/build/cmake-wasm/bin/fieldkit-tests.js' --no-colors"
stage serve python3 tests/serve_test.py
stage e2e node tests/e2e/e2e.mjs --serve build/web --out build/e2e
stage desktop bash tests/desktop_smoke.sh
# Feature store: 20 SIGKILLs mid-ingest through the real CLI; every acknowledged record must be there.
stage features-crash bash tests/features/crash_test.sh build/native/fieldkit-cli
# The same native suite built with ASan + UBSan (make sanitize): any report fails the stage.
# halt_on_error keeps the first report readable; leaks are errors (detect_leaks is on by default).
stage native-sanitize bash -c "cd '$scratch' && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 '$PWD/build/asan/fieldkit-tests' --no-colors"
stage native-doctest bash -c "cd '$scratch' && '$PWD/build/native/fieldkit-tests' --no-colors"

echo
echo "screenshots: build/e2e/*.png, build/desktop/*.png"
if [ $failed -gt 0 ]; then echo "failed stages: ${failures[*]}"; fi
echo "stages: $passed passed, $failed failed"
# The closing lines are the native doctest summary (the full suite), as promised in the README.
tail -n 3 build/logs/native-doctest.log
[ $failed -eq 0 ]
