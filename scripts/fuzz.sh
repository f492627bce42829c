#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses (build/fuzz, clang, ASan + UBSan)
# and runs each for FUZZ_SECONDS, then prints one line per harness:
#   <harness> execs N exec/s N crashes N leaks N timeouts N ooms N
# and exits non-zero if any harness crashed, leaked, timed out or ran out of memory.
#
#   FUZZ_SECONDS=60   seconds per harness
#   FUZZ_JOBS=1       harnesses run at once (2 uses both cores of a 2-core machine)
#   FUZZ_ONLY="a b"   only these harnesses (names as in tests/fuzz/corpus/)
#
# Each harness runs in libFuzzer's fork mode so a crash is saved and counted
# and the run goes on. The working corpus is build/fuzz/corpus/<harness>
# (the committed seeds of tests/fuzz/corpus/ are copied in, never written);
# findings go to build/fuzz/artifacts/<harness>/ (emptied at each run), the
# libFuzzer output to build/fuzz/logs/<harness>.log. A finding becomes a
# regression input in tests/fuzz/regressions/<harness>/ (tests/fuzz/README.md).
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
build=build/fuzz
if ! [[ $secs =~ ^[0-9]+$ && $secs -ge 1 ]]; then echo "fuzz: FUZZ_SECONDS must be a whole number >= 1 (got '$secs')" >&2; exit 2; fi
if ! [[ $jobs =~ ^[12]$ ]]; then echo "fuzz: FUZZ_JOBS must be 1 or 2 (got '$jobs')" >&2; exit 2; fi
for tool in clang clang++ cmake ninja; do
  command -v $tool >/dev/null || { echo "fuzz: $tool not found (Debian: apt-get install clang cmake ninja-build)" >&2; exit 2; }
done

mkdir -p $build/logs
echo "fuzz: configuring and building $build (log $build/logs/build.log)"
if ! { cmake -S . -B $build -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIELDKIT_FUZZ=ON &&
       ninja -C $build -j "${JOBS:-$(nproc)}" fuzz_all; } >$build/logs/build.log 2>&1; then
  tail -n 30 $build/logs/build.log
  echo "fuzz: build failed (log $build/logs/build.log)" >&2
  exit 2
fi

harnesses=()
for bin in $build/bin/fuzz_*; do
  name=${bin##*/fuzz_}
  [ "$name" = make_seeds ] && continue
  if [ -n "${FUZZ_ONLY:-}" ] && ! [[ " $FUZZ_ONLY " == *" $name "* ]]; then continue; fi
  harnesses+=("$name")
done
if [ ${#harnesses[@]} -eq 0 ]; then echo "fuzz: no harness matches FUZZ_ONLY='${FUZZ_ONLY:-}'" >&2; exit 2; fi
echo "fuzz: ${#harnesses[@]} harnesses, ${secs} s each, $jobs at a time"

run_one() {  # run_one HARNESS: fuzzes, then writes build/fuzz/logs/HARNESS.summary
  local h=$1
  local corpus=$build/corpus/$h art=$build/artifacts/$h log=$build/logs/$h.log
  mkdir -p "$corpus"
  rm -rf "$art" && mkdir -p "$art"
  [ -d tests/fuzz/corpus/$h ] && cp -n tests/fuzz/corpus/$h/* "$corpus"/ 2>/dev/null
  local dict=()  # the harness's dictionary, else its family's (forecast.dict for forecast_*)
  if [ -f tests/fuzz/dicts/$h.dict ]; then dict=(-dict=tests/fuzz/dicts/$h.dict)
  elif [ -f tests/fuzz/dicts/${h%%_*}.dict ]; then dict=(-dict=tests/fuzz/dicts/${h%%_*}.dict); fi
  # -timeout: one input may take this long (a sanitized 8192-px decode does
  # not); -rss_limit_mb: a child using more is an out-of-memory finding.
  $build/bin/fuzz_$h -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$art/" "${dict[@]}" "$corpus" >"$log" 2>&1
  # Fork mode's status lines: "#<execs>: cov: .. exec/s <last job's rate> .. time: <s>s ..";
  # the rate reported is over the whole run.
  local last execs=0 time=0 rate=0
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
  if [ -n "$last" ]; then
    execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    time=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
    rate=$((execs / (time > 0 ? time : 1)))
  fi
  local crashes leaks timeouts ooms
  crashes=$(find "$art" -name 'crash-*' | wc -l)
  leaks=$(find "$art" -name 'leak-*' | wc -l)
  timeouts=$(find "$art" -name 'timeout-*' | wc -l)
  ooms=$(find "$art" -name 'oom-*' | wc -l)
  # A child that crashed or was killed leaves its scratch folder (fuzz_target.h: ScratchDir).
  local d
  for d in /dev/shm/fk-fuzz-* "${TMPDIR:-/tmp}"/fk-fuzz-*; do
    [ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null && rm -rf "$d"
  done
  printf '%-20s execs %10s  exec/s %6s  crashes %d  leaks %d  timeouts %d  ooms %d\n' \
    "$h" "$execs" "$rate" "$crashes" "$leaks" "$timeouts" "$ooms" >"$build/logs/$h.summary"
}

t0=$SECONDS
if [ "$jobs" -eq 1 ]; then
  for h in "${harnesses[@]}"; do
    echo "fuzz: $h ..."
    run_one "$h"
  done
else
  running=0
  for h in "${harnesses[@]}"; do
    echo "fuzz: $h ..."
    run_one "$h" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  done
  wait
fi

echo
echo "fuzz: $((SECONDS - t0)) s (FUZZ_SECONDS=$secs, FUZZ_JOBS=$jobs); findings in $build/artifacts/<harness>/"
status=0
for h in "${harnesses[@]}"; do
  line=$(cat "$build/logs/$h.summary" 2>/dev/null || echo "$h: no summary (see $build/logs/$h.log)")
  echo "$line"
  if ! [[ $line =~ crashes\ 0\ \ leaks\ 0\ \ timeouts\ 0\ \ ooms\ 0 ]] || [[ $line =~ execs\ +0\  ]]; then status=1; fi
done
exit $status
