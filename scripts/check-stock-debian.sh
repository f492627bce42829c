#!/usr/bin/env bash
# Tries the README's two commands as a new user would: in a fresh Debian 12 root
# (debootstrap --variant=minbase bookworm, sources bookworm + bookworm-updates +
# bookworm-security from deb.debian.org, then only git, make and ca-certificates),
# as root, from a clone of this checkout's HEAD commit (the committed tree only).
# Runs `make demo` until it serves (then stops it) and `make test`, each with a time
# limit, and prints one line per command with pass/fail and time.
# Run by hand, as root, on a Debian host (not in CI): takes 1-2 hours on 2 cores.
#
#   scripts/check-stock-debian.sh [--root DIR] [--keep] [--reuse] [--log FILE]
#                                 [--demo-minutes N] [--test-minutes N] [--deps-only]
#   --root DIR        where to build the root (default: a new /var/tmp/fieldkit-stock.XXXXXX)
#   --keep            keep the root afterwards (default: delete it)
#   --reuse           DIR already holds a root this script made: skip debootstrap and
#                     the git/make/ca-certificates install (not stock if an earlier run
#                     installed Fieldkit's dependencies there; for debugging this script)
#   --log FILE        everything the commands print (default: /var/tmp/fieldkit-stock-DATE.log)
#   --demo-minutes N  time limit for `make demo` to serve (default 120)
#   --test-minutes N  time limit for `make test` (default 150: it also builds the ASan suite)
#   --deps-only       only `make deps && make deps-test` (every download and install step, no
#                     build; minutes, not hours): a quick check after a set-up change
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security
ROOT=""; KEEP=0; REUSE=0; DEMO_MIN=120; TEST_MIN=150; DEPS_ONLY=0
LOG=/var/tmp/fieldkit-stock-$(date +%Y%m%d-%H%M%S).log

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=1; shift ;;
    --log) LOG=${2:?--log needs a file}; shift 2 ;;
    --demo-minutes) DEMO_MIN=${2:?}; shift 2 ;;
    --test-minutes) TEST_MIN=${2:?}; shift 2 ;;
    --deps-only) DEPS_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check-stock-debian: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $DEMO_MIN =~ ^[0-9]+$ && $TEST_MIN =~ ^[0-9]+$ ]] || { echo "check-stock-debian: --demo-minutes/--test-minutes take whole minutes" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check-stock-debian: needs root (debootstrap, mount, chroot); run: sudo $0 $*" >&2; exit 1; }
[ $REUSE -eq 0 ] || [ -n "$ROOT" ] || { echo "check-stock-debian: --reuse needs --root DIR" >&2; exit 2; }

say() { echo "$*" | tee -a "$LOG"; }
log() { echo "$*" >>"$LOG"; }
fmt() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
mkdir -p "$(dirname "$LOG")"; : >"$LOG"

COMMIT=$(git -C "$REPO" rev-parse HEAD)
say "check-stock-debian: commit $(git -C "$REPO" log -1 --format='%h %s' | cut -c1-100)"
[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] \
  || say "check-stock-debian: note: the checkout has uncommitted changes; the root gets only commit ${COMMIT:0:7}"
say "check-stock-debian: $(date '+%F %T'), host $(nproc) cores, log $LOG"

if [ -z "$ROOT" ]; then
  ROOT=$(mktemp -d /var/tmp/fieldkit-stock.XXXXXX)
elif [ $REUSE -eq 0 ]; then
  [ ! -e "$ROOT" ] || [ -z "$(ls -A "$ROOT")" ] \
    || { echo "check-stock-debian: $ROOT exists and is not empty (add --reuse to use the root in it, or pick another --root)" >&2; exit 2; }
  mkdir -p "$ROOT"
fi
ROOT=$(cd "$ROOT" && pwd)
[ "$ROOT" != / ] || { echo "check-stock-debian: --root / is not a root to build" >&2; exit 2; }
MARK="$ROOT/.fieldkit-stock-root"
if [ $REUSE -eq 1 ] && [ ! -f "$MARK" ]; then
  echo "check-stock-debian: $ROOT was not made by this script (no $MARK); not reusing it" >&2; exit 2
fi

# --- mounts and cleanup -------------------------------------------------------
mounted=()
inner_pgid=""
mounts_under_root() { awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$inner_pgid" ]; then kill -TERM -- "-$inner_pgid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$inner_pgid" 2>/dev/null || true; fi
  local i m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  # Anything still mounted under the root (a mount made inside the chroot, say).
  for m in $(mounts_under_root | sort -r); do umount -l "$m" 2>/dev/null || true; done
  if [ -n "$(mounts_under_root)" ]; then
    say "check-stock-debian: still mounted under $ROOT, not deleting it: $(mounts_under_root | tr '\n' ' ')"
  elif [ $KEEP -eq 1 ]; then
    say "check-stock-debian: kept the root at $ROOT (reuse with --root $ROOT --reuse)"
  else
    rm -rf --one-file-system "$ROOT"
  fi
  exit $rc
}
trap cleanup EXIT
for sig in INT TERM HUP; do
  # shellcheck disable=SC2064
  trap "say \"check-stock-debian: stopped by SIG$sig at \$(date +%T)\"; exit 130" $sig
done

bind() {  # bind SRC DEST-IN-ROOT [mount options...]
  local src=$1 dst="$ROOT$2"; shift 2
  mkdir -p "$dst"
  if [ "$src" = tmpfs ] || [ "$src" = proc ] || [ "$src" = sysfs ]; then
    mount -t "$src" "$@" "$src" "$dst"
  else
    mount --bind "$src" "$dst"
  fi
  mounted+=("$dst")
  # Private: on a host whose / is a shared mount, a mount made over the root's /dev/shm
  # would otherwise also appear over the host's own /dev/shm.
  mount --make-private "$dst"
}

# inside LIMIT_SECONDS COMMAND: runs bash -c COMMAND as root in the root's login-like
# environment (nothing of the host's environment leaks in), in its own process group.
inside_env=(env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
# Each line it prints goes to the log with the time of day, so the log shows how long
# every phase took (apt, the native build, the wasm build, each test stage).
start_inside() {
  local stamped="set -o pipefail; { $1 ; } 2>&1 | while IFS= read -r l || [ -n \"\$l\" ]; do printf '%(%H:%M:%S)T %s\\n' -1 \"\$l\"; done"
  setsid chroot "$ROOT" "${inside_env[@]}" bash -c "$stamped" >>"$LOG" 2>&1 </dev/null &
  inner_pgid=$!
}
stop_inside() {
  [ -n "$inner_pgid" ] || return 0
  kill -TERM -- "-$inner_pgid" 2>/dev/null || true
  local i
  for i in $(seq 20); do kill -0 -- "-$inner_pgid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$inner_pgid" 2>/dev/null || true
  wait "$inner_pgid" 2>/dev/null || true
  inner_pgid=""
}

results=()
result() {  # result NAME pass|FAIL SECONDS [detail]
  local line
  line=$(printf '%-44s %-4s %s%s' "$1" "$2" "$(fmt "$3")" "${4:+  ($4)}")
  results+=("$line")
  say "check-stock-debian: $line"
}
fail_tail() { say "check-stock-debian: last lines of the log:"; tail -n 40 "$LOG" | sed 's/^/  | /'; }

# --- 1. the root ----------------------------------------------------------------
t0=$SECONDS
if [ $REUSE -eq 0 ]; then
  command -v debootstrap >/dev/null || {
    say "check-stock-debian: installing debootstrap on the host"
    apt-get install -y --no-install-recommends debootstrap >>"$LOG" 2>&1 \
      || { apt-get update >>"$LOG" 2>&1 && apt-get install -y --no-install-recommends debootstrap >>"$LOG" 2>&1; } \
      || { say "check-stock-debian: could not install debootstrap on the host"; fail_tail; exit 1; }
  }
  say "check-stock-debian: debootstrap --variant=minbase bookworm $ROOT $MIRROR"
  if ! debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >>"$LOG" 2>&1; then
    result "debootstrap minbase bookworm" FAIL $((SECONDS - t0)); fail_tail; exit 1
  fi
  cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
bind proc /proc
bind sysfs /sys
bind /dev /dev
bind /dev/pts /dev/pts
# Chromium keeps shared memory in /dev/shm: a private tmpfs, not the host's.
bind tmpfs /dev/shm -o mode=1777,size=2g
chmod 1777 "$ROOT/tmp"

if [ $REUSE -eq 0 ]; then
  if ! start_inside "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git make ca-certificates" \
       || ! wait "$inner_pgid"; then
    inner_pgid=""; result "debootstrap + git make ca-certificates" FAIL $((SECONDS - t0)); fail_tail; exit 1
  fi
  inner_pgid=""
fi
# Where the host reaches the registries through its own CA (a proxy), the root must trust it too.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  chroot "$ROOT" "${inside_env[@]}" update-ca-certificates >>"$LOG" 2>&1
  log "copied the host's local CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
# The same npm registry settings as the host (its registry, or a CA file), if it has any.
if command -v npm >/dev/null; then
  g=$(npm config get globalconfig 2>/dev/null || true); u=$(npm config get userconfig 2>/dev/null || true)
  if [ -n "$g" ] && [ -f "$g" ]; then cp "$g" "$ROOT/etc/npmrc"; log "copied npm global config $g to /etc/npmrc"; fi
  if [ -n "$u" ] && [ -f "$u" ]; then install -m 600 "$u" "$ROOT/root/.npmrc"; log "copied npm user config $u to /root/.npmrc"; fi
fi
touch "$MARK"
result "debootstrap + git make ca-certificates" pass $((SECONDS - t0)) "$(chroot "$ROOT" cat /etc/debian_version)"

# --- 2. the clone -----------------------------------------------------------------
rm -rf "$ROOT/root/fieldkit"
git clone -q --no-hardlinks "$REPO" "$ROOT/root/fieldkit" >>"$LOG" 2>&1
git -C "$ROOT/root/fieldkit" checkout -q --detach "$COMMIT"
say "check-stock-debian: cloned ${COMMIT:0:7} to /root/fieldkit in the root"

# --- 3. make demo: until it serves (or, with --deps-only, only the set-up steps) ---------
if [ $DEPS_ONLY -eq 1 ]; then
  log "=== make deps && make deps-test"
  t0=$SECONDS
  start_inside "cd /root/fieldkit && make deps && make deps-test"
  rc=0; wait "$inner_pgid" || rc=$?
  inner_pgid=""
  if [ $rc -eq 0 ]; then result "make deps && make deps-test" pass $((SECONDS - t0))
  else result "make deps && make deps-test" FAIL $((SECONDS - t0)) "exit $rc"; fail_tail; fi
  DEMO_MIN=0; TEST_MIN=0
fi
# --- 3. make demo: until it serves --------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
       || echo $((20000 + RANDOM % 20000)))
served() {
  if command -v curl >/dev/null; then curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/" 2>/dev/null
  else python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=5)" 2>/dev/null; fi
}
if [ $DEPS_ONLY -eq 0 ]; then
log "=== make demo PORT=$PORT"
t0=$SECONDS
start_inside "cd /root/fieldkit && make demo PORT=$PORT"
status=FAIL; detail="did not serve within $DEMO_MIN min"
while [ $((SECONDS - t0)) -lt $((DEMO_MIN * 60)) ]; do
  if served; then status=pass; detail="served http://127.0.0.1:$PORT/"; break; fi
  if ! kill -0 "$inner_pgid" 2>/dev/null; then
    rc=0; wait "$inner_pgid" || rc=$?
    inner_pgid=""; detail="exited with $rc before serving"; break
  fi
  sleep 5
done
demo_s=$((SECONDS - t0))
stop_inside
result "make demo" "$status" "$demo_s" "$detail"
[ "$status" = pass ] || fail_tail

# --- 4. make test -------------------------------------------------------------------
log "=== make test"
t0=$SECONDS
start_inside "cd /root/fieldkit && make test"
status=FAIL; detail="still running after $TEST_MIN min (stopped)"
while [ $((SECONDS - t0)) -lt $((TEST_MIN * 60)) ]; do
  if ! kill -0 "$inner_pgid" 2>/dev/null; then
    rc=0; wait "$inner_pgid" || rc=$?
    inner_pgid=""
    if [ $rc -eq 0 ]; then status=pass; detail=""; else detail="exit $rc"; fi
    break
  fi
  sleep 5
done
test_s=$((SECONDS - t0))
stop_inside
summary=$(grep -E '^([0-9:]{8} )?(stages: |\[doctest\] (test cases|assertions):)' "$LOG" | tail -n 3 \
           | sed -E 's/^[0-9:]{8} //' | tr '\n' ' ' | sed 's/ *$//' || true)
result "make test" "$status" "$test_s" "$detail${detail:+${summary:+; }}$summary"
[ "$status" = pass ] || fail_tail
fi  # DEPS_ONLY

# --- 5. what a new user downloads ---------------------------------------------------
# apt's and npm's own output is in the clone's build/logs/setup-deps.log, not on the console.
inner="$ROOT/root/fieldkit/build/logs/setup-deps.log"
if [ -f "$inner" ]; then
  { echo "=== the root's build/logs/setup-deps.log"; cat "$inner"; } >>"$LOG"
  say "check-stock-debian: what setup-deps did (sizes as apt reported them):"
  grep -E '^(=== .* setup-deps |--- .* (installing|downloading) |Need to get|After this operation|[0-9]+ upgraded, [0-9]+ newly|added [0-9]+ package)' "$inner" \
    | sed -E 's/^--- [0-9-]+ [0-9:]+ ([^:]*):.*/\1/; s/^/  /' | tee -a "$LOG" || true
fi

echo
say "check-stock-debian: summary for commit ${COMMIT:0:7} ($(date '+%F'), $(nproc) cores)"
for l in "${results[@]}"; do say "  $l"; done
for l in "${results[@]}"; do [[ $l == *" pass "* ]] || exit 1; done
