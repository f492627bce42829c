#!/usr/bin/env bash
# Desktop smoke test: the native app starts under a private Xvfb, draws a real
# (not blank) window, and exits 0 after a fixed number of frames.
#
#   bash tests/desktop_smoke.sh            # uses build/native/fieldkit
#   FIELDKIT_BIN=path/to/fieldkit bash tests/desktop_smoke.sh
#
# Screenshot: build/desktop/desktop.png (override the dir with FIELDKIT_DESKTOP_OUT).
# Extra app arguments for the screenshot run: FIELDKIT_SMOKE_ARGS="--panel System".
# Prints `ok - name` / `not ok - name: reason`, then `desktop: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${FIELDKIT_BIN:-build/native/fieldkit}
OUT=${FIELDKIT_DESKTOP_OUT:-build/desktop}
SHOT=$OUT/desktop.png
FRAMES=${FIELDKIT_SMOKE_FRAMES:-120}
MAX_FRAMES=20000        # retries multiply FRAMES by 5 until the screenshot lands while the app runs
MIN_COLOURS=10          # a drawn UI has far more; a blank or cleared window has 1-2
passed=0; failed=0

ok()     { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1: $2"; }
finish() { echo "desktop: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

for tool in Xvfb import convert; do
  if ! command -v "$tool" >/dev/null; then
    not_ok setup "$tool not found (apt-get install xvfb imagemagick, or make deps)"
    finish
  fi
done
if [ ! -x "$BIN" ]; then
  not_ok setup "$BIN is not an executable (run make native, or set FIELDKIT_BIN)"
  finish
fi

work=$(mktemp -d)
xvfb_pid=""; app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. --help works without a display ------------------------------------
if env -u DISPLAY "$BIN" --help >"$work/help.txt" 2>&1; then
  if grep -q -- "--frames" "$work/help.txt"; then ok "help"
  else not_ok help "--help exited 0 but does not mention --frames: $(head -c 200 "$work/help.txt" | tr '\n' ' ')"; fi
else
  not_ok help "--help exited $?: $(head -c 300 "$work/help.txt" | tr '\n' ' ')"
fi

# --- 2. Xvfb on a display number it picks itself (no clash with other runs) -
# -displayfd makes Xvfb choose a free display and write it once it accepts
# clients. A display is used only after a client (xdpyinfo) got through: once
# in CI Xvfb reported :0 and the app could not open it, so a display that does
# not answer is replaced by a fresh server (the log says why), up to 3 times;
# a retry asks for a random high display number, away from whatever made the
# first one fail.
start_xvfb() {  # [display number]
  local want=()
  [ -n "${1:-}" ] && want=(":$1")
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null; xvfb_pid=""; fi
  : >"$work/display"
  Xvfb "${want[@]}" -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
  xvfb_pid=$!
  for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$work/display" ] || return 1
  export DISPLAY=":$(tr -d '[:space:]' <"$work/display")"
  command -v xdpyinfo >/dev/null || return 0
  for _ in $(seq 50); do
    xdpyinfo >/dev/null 2>&1 && return 0
    kill -0 "$xvfb_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
xvfb_ok=0
for attempt in 1 2 3; do
  if [ "$attempt" -eq 1 ]; then start_xvfb && { xvfb_ok=1; break; }
  else start_xvfb $((100 + RANDOM % 800)) && { xvfb_ok=1; break; }; fi
  echo "# Xvfb attempt $attempt: ${DISPLAY:-no display} did not answer: $(tail -n 3 "$work/xvfb.log" | tr '\n' ' ')"
done
if [ "$xvfb_ok" -ne 1 ]; then
  not_ok xvfb "Xvfb did not start: $(tail -n 3 "$work/xvfb.log" | tr '\n' ' ')"
  finish
fi
echo "# Xvfb on $DISPLAY (pid $xvfb_pid)"

# --- 3. run N frames, screenshot while the window is up, exit code 0 -------
# The window is looked for by title; a screenshot is taken ~1 s after it maps
# so a few frames have been drawn. Fast machines finish 120 frames before
# that: then the run is repeated with more frames.
window_up() { xwininfo -root -tree 2>/dev/null | grep -qi '"fieldkit'; }
mkdir -p "$OUT"
rm -f "$SHOT"
frames=$FRAMES
shot_ok=0; rc=0
while :; do
  # shellcheck disable=SC2086  # FIELDKIT_SMOKE_ARGS is a word list on purpose
  "$BIN" --frames "$frames" ${FIELDKIT_SMOKE_ARGS:-} >"$work/app.log" 2>&1 &
  app_pid=$!
  seen_at=""; t0=$SECONDS
  while kill -0 "$app_pid" 2>/dev/null; do
    if [ -z "$seen_at" ] && { ! command -v xwininfo >/dev/null || window_up; }; then seen_at=$SECONDS; fi
    if [ -n "$seen_at" ] && [ $((SECONDS - seen_at)) -ge 1 ]; then
      sleep 0.5
      if import -window root "$SHOT" 2>"$work/import.log"; then shot_ok=1; fi
      break
    fi
    if [ $((SECONDS - t0)) -gt 120 ]; then break; fi
    sleep 0.1
  done
  wait "$app_pid"; rc=$?
  app_pid=""
  if [ "$rc" -ne 0 ] && [ "${display_retries:-0}" -lt 2 ] && grep -q "Failed to open display" "$work/app.log"; then
    display_retries=$((${display_retries:-0} + 1))
    echo "# the app could not open $DISPLAY ($(tail -n 2 "$work/xvfb.log" | tr '\n' ' ')); fresh Xvfb, retry $display_retries"
    if start_xvfb $((100 + RANDOM % 800)); then echo "# Xvfb on $DISPLAY (pid $xvfb_pid)"; continue; fi
  fi
  if [ "$shot_ok" -eq 1 ] || [ "$rc" -ne 0 ] || [ $((frames * 5)) -gt "$MAX_FRAMES" ]; then break; fi
  echo "# the app finished $frames frames before the screenshot; retrying with $((frames * 5))"
  frames=$((frames * 5))
done

if [ "$rc" -eq 0 ]; then
  ok "run --frames $frames exits 0"
else
  not_ok "run --frames $frames exits 0" "exit code $rc; last output: $(tail -n 5 "$work/app.log" | tr '\n' ' ')"
fi

# --- 4. the screenshot shows a drawn UI ------------------------------------
if [ "$shot_ok" -ne 1 ] || [ ! -s "$SHOT" ]; then
  not_ok screenshot "no screenshot at $SHOT ($(cat "$work/import.log" 2>/dev/null | head -c 200))"
else
  colours=$(convert "$SHOT" -format %k info: 2>/dev/null || echo 0)
  if [ "${colours:-0}" -gt "$MIN_COLOURS" ] 2>/dev/null; then
    ok "screenshot $SHOT ($colours colours)"
  else
    not_ok screenshot "$SHOT has $colours unique colour(s), expected > $MIN_COLOURS (blank window?)"
  fi
fi

# --- 5. a seed replay runs in the desktop app as in the page ---------------
# The Anomalies replay (a few seconds): the app exits once no job has run for 30 frames and writes its
# status() JSON; the replay must be done with every row holding the seed's figure and ours.
REPLAY=${FIELDKIT_SMOKE_REPLAY:-anomaly}
if XDG_CONFIG_HOME="$work/config" "$BIN" --run "replay?panel=$REPLAY" --until-idle --frames 20000 \
     --status "$work/replay.json" >"$work/replay.log" 2>&1; then
  verdict=$(python3 - "$work/replay.json" "$REPLAY" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no status JSON: {e}"); sys.exit()
r = s.get("replay") or {}
rows = r.get("rows") or []
if r.get("panel") != sys.argv[2] or r.get("state") != "done":
    print(f"replay {r.get('panel')} is {r.get('state')}: {r.get('error', '')} errors {s.get('errors')}")
elif not rows or any(not str(x.get("seed", "")) or not str(x.get("ours", "")) for x in rows):
    print(f"rows without a seed or our figure: {rows}")
else:
    print(f"ok {len(rows)} rows, first: {rows[0].get('figure')} seed {rows[0].get('seed')} ours {rows[0].get('ours')}")
PY
)
  case "$verdict" in
    ok*) ok "replay $REPLAY under Xvfb: ${verdict#ok }" ;;
    *) not_ok "replay $REPLAY under Xvfb" "$verdict" ;;
  esac
else
  not_ok "replay $REPLAY under Xvfb" "exit code $?: $(tail -n 5 "$work/replay.log" | tr '\n' ' ')"
fi

finish
