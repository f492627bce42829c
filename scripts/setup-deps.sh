#!/usr/bin/env bash
# Installs Fieldkit's dependencies from Debian's packages and the npm registry.
#   scripts/setup-deps.sh build   what `make demo` needs (make deps): compilers, emscripten,
#                                 libraries, Dear ImGui's sources, XNNPACK's sources for the wasm
#                                 build (Debian trixie's pinned source tarballs, fetched, checked
#                                 and patched by scripts/fetch_debsrc.py), the MediaPipe models and
#                                 the TFLite-web reference runtime (pinned npm tarballs, fetched by
#                                 scripts/fetch_npm.py without npm) and the bundled test image
#   scripts/setup-deps.sh test    what `make test` adds (make deps-test): Chromium, Xvfb,
#                                 ImageMagick, npm, playwright-core (the browser-test driver) and
#                                 the outside Parquet readers @duckdb/node-api and hyparquet
#   scripts/setup-deps.sh         both
# Idempotent: when everything is present it says so and does no network work.
# Installing needs root (apt-get). apt's and npm's output goes to build/logs/setup-deps.log;
# a failed step says which step failed and prints the end of its output.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case $mode in
  build|test|all) ;;
  *) echo "usage: $0 [build|test|all]   (default all)" >&2; exit 2 ;;
esac

BUILD_PKGS=(build-essential cmake ninja-build ccache pkg-config python3 xz-utils patch nodejs
            emscripten libimgui-dev libxnnpack-dev libpthreadpool-dev
            nlohmann-json3-dev doctest-dev libstb-dev libglfw3-dev fonts-dejavu-core)
# The e2e tests drive Debian's chromium through playwright-core (npm): Debian 12's nodejs
# is 18, and tests/e2e/package.json pins the newest playwright-core whose engines accept it.
TEST_PKGS=(chromium xvfb x11-utils imagemagick nodejs)

IMGUI_TARBALL=third_party/imgui_1.86+ds.orig.tar.xz
PW_WANT=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' tests/e2e/package.json)
PW_PKG=tests/e2e/node_modules/playwright-core/package.json
# The bundled test image (issue #15): a NASA portrait (public domain) from Debian's python3-skimage,
# taken out of the .deb without installing the package. Pinned by size and sha256.
IMAGE=third_party/images/astronaut.png
IMAGE_DEB=python3-skimage
IMAGE_MEMBER=./usr/lib/python3/dist-packages/skimage/data/astronaut.png
IMAGE_BYTES=791555
IMAGE_SHA256=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5

pkgs=()
[ "$mode" = test ] || pkgs+=("${BUILD_PKGS[@]}")
[ "$mode" = build ] || pkgs+=("${TEST_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  [[ " ${missing[*]} " == *" $p "* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

need_src=0; need_npm=0; need_models=0; need_image=0; need_debsrc=0
if [ "$mode" != test ]; then
  [ -f "$IMGUI_TARBALL" ] || need_src=1
  python3 scripts/fetch_npm.py --check >/dev/null 2>&1 || need_models=1
  python3 scripts/fetch_debsrc.py --check >/dev/null 2>&1 || need_debsrc=1
  [ "$(stat -c %s "$IMAGE" 2>/dev/null)" = "$IMAGE_BYTES" ] || need_image=1
fi
if [ "$mode" != build ]; then
  # Only when no npm command exists: a machine whose Node comes from elsewhere brings its own
  # npm, and Debian's npm package would fight that Node over the nodejs package.
  command -v npm >/dev/null || { [[ " ${missing[*]} " == *" npm "* ]] || missing+=(npm); }
  have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PW_PKG" 2>/dev/null | head -n1 || true)
  [ "$have" = "$PW_WANT" ] || need_npm=1
  # Every pinned dependency of tests/e2e/package.json at its version (playwright-core; the outside
  # Parquet readers @duckdb/node-api and hyparquet), and DuckDB's native binary for this machine
  # (an optional dependency npm picks by platform).
  while read -r name want; do
    have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "tests/e2e/node_modules/$name/package.json" 2>/dev/null | head -n1 || true)
    [ "$have" = "$want" ] || need_npm=1
  done < <(sed -n '/"dependencies"/,/}/s/^ *"\([^"]*\)": *"\([^"]*\)".*/\1 \2/p' tests/e2e/package.json)
  if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && ! [ -f tests/e2e/node_modules/@duckdb/node-bindings-linux-x64/package.json ]; then
    need_npm=1
  fi
fi

what=$([ "$mode" = all ] && echo "build and test" || echo "$mode")
if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ] && [ $need_npm -eq 0 ] && [ $need_models -eq 0 ] \
   && [ $need_image -eq 0 ] && [ $need_debsrc -eq 0 ]; then
  echo "setup-deps: all $what dependencies present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && { [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; }; then
  echo "setup-deps: missing Debian packages (${missing[*]:-none})$([ $need_src -eq 1 ] && echo " and Dear ImGui's sources");" \
       "installing them needs root: run 'make deps deps-test' as root (or 'sudo $0 $mode')" >&2
  exit 1
fi

mkdir -p build/logs
LOG=build/logs/setup-deps.log
echo "=== $(date '+%F %T') setup-deps $mode" >>"$LOG"

# step DESCRIPTION COMMAND...: runs COMMAND with its output in $LOG. Says every 30 s that it is
# still working (with the log's last line); on failure prints the end of the step's output.
step() {
  local what=$1; shift
  local t0=$SECONDS last=$SECONDS n0 pid rc=0
  n0=$(wc -l <"$LOG")
  echo "setup-deps: $what"
  echo "--- $(date '+%F %T') $what: $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $((SECONDS - last)) -ge 30 ]; then
      last=$SECONDS
      echo "setup-deps:   ... $((SECONDS - t0)) s: $(tail -n 1 "$LOG" | cut -c1-100)"
    fi
  done
  wait "$pid" || rc=$?
  STEP_OUT=$(tail -n +$((n0 + 2)) "$LOG")
  if [ $rc -ne 0 ]; then
    echo "setup-deps: FAILED (exit $rc after $((SECONDS - t0)) s): $what" >&2
    echo "setup-deps: command: $*" >&2
    echo "setup-deps: last lines of its output (all of it in $LOG):" >&2
    printf '%s\n' "$STEP_OUT" | tail -n 30 | sed 's/^/  | /' >&2
    exit 1
  fi
  echo "setup-deps:   done in $((SECONDS - t0)) s"
}

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y --no-install-recommends -o Dpkg::Use-Pty=0)
updated=0
apt_update() {
  [ $updated -eq 1 ] || step "updating Debian's package lists (apt-get update)" apt-get update
  updated=1
}

if [ $need_src -eq 1 ]; then
  # Dear ImGui's .cpp files (for the wasm build) ship only in Debian's source package.
  if ! grep -rqsE "^deb-src .*bookworm|^Types:.*deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Same URI and options as the existing bookworm entry: apt refuses two entries for one
    # archive with different Signed-By values.
    line=$(grep -hsE '^deb (\[[^]]*\] )?[a-z+]+://[^ ]+ bookworm( |$)' \
             /etc/apt/sources.list /etc/apt/sources.list.d/*.list | head -n1 || true)
    if [ -n "$line" ]; then
      echo "deb-src${line#deb}" > /etc/apt/sources.list.d/fieldkit-src.list
    else
      cat > /etc/apt/sources.list.d/fieldkit-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    echo "setup-deps: added a deb-src entry for bookworm in /etc/apt/sources.list.d/ (for Dear ImGui's sources)"
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  # What apt will fetch, so the user knows what the next minutes are spent on.
  if ! plan=$(apt-get install -s "${APT_OPTS[@]}" "${missing[@]}" 2>&1); then
    echo "setup-deps: FAILED: apt-get cannot install ${missing[*]}:" >&2
    printf '%s\n' "$plan" | grep -E '^(E|W):|Depends|Conflicts|Breaks|not installable|Unable' \
      | head -n 20 | sed 's/^/  | /' >&2
    printf '%s\n' "$plan" >>"$LOG"
    exit 1
  fi
  n=$(printf '%s\n' "$plan" | grep -c '^Inst ' || true)
  mb=$(apt-get install --print-uris -qq "${APT_OPTS[@]}" "${missing[@]}" 2>/dev/null \
         | awk '{s += $3} END {printf "%d", s / 1e6 + 0.5}')
  echo "setup-deps: need ${missing[*]}"
  step "installing $n Debian packages (about $mb MB to download; a few minutes)" \
    apt-get install "${APT_OPTS[@]}" "${missing[@]}"
fi

if [ $need_src -eq 1 ]; then
  apt_update
  mkdir -p third_party
  step "downloading Dear ImGui's sources (Debian source package imgui, 0.7 MB)" \
    bash -c 'cd third_party && apt-get source --download-only imgui'
  test -f "$IMGUI_TARBALL" || { echo "setup-deps: apt-get source imgui did not produce $IMGUI_TARBALL (log: $LOG)" >&2; exit 1; }
fi

if [ $need_models -eq 1 ]; then
  # Pinned by sha512 in scripts/npm-pins.txt; tarballs cached in third_party/npm/ (26 MB).
  step "fetching MediaPipe's face and hand models and the TFLite-web runtime (pinned npm tarballs, 26 MB) into third_party/" \
    python3 scripts/fetch_npm.py
fi

if [ $need_debsrc -eq 1 ]; then
  # Pinned by size and sha256 in scripts/fetch_debsrc.py; tarballs cached in third_party/debsrc/,
  # unpacked and patched (patches/xnnpack/) into third_party/src/.
  step "fetching XNNPACK, pthreadpool and fxdiv sources for the wasm build (Debian trixie's source tarballs, 2.8 MB) into third_party/" \
    python3 scripts/fetch_debsrc.py
fi

# fetch_image: the .deb into a temporary directory, the one PNG out of it, checked against its pin.
fetch_image() {
  local tmp rc=0
  tmp=$(mktemp -d)
  # apt drops to user _apt for downloads; it needs to write where it downloads.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  (
    cd "$tmp" && apt-get download "$IMAGE_DEB" && dpkg-deb --fsys-tarfile "$IMAGE_DEB"_*.deb \
      | tar -xO "$IMAGE_MEMBER" >astronaut.png
  ) || rc=$?
  if [ $rc -eq 0 ]; then
    local got sum
    got=$(stat -c %s "$tmp/astronaut.png"); sum=$(sha256sum "$tmp/astronaut.png" | cut -d' ' -f1)
    if [ "$got $sum" != "$IMAGE_BYTES $IMAGE_SHA256" ]; then
      echo "astronaut.png from $IMAGE_DEB is $got bytes with sha256 $sum; expected $IMAGE_BYTES bytes, $IMAGE_SHA256" >&2
      rc=1
    else
      mkdir -p "$(dirname "$IMAGE")" && mv "$tmp/astronaut.png" "$IMAGE"
    fi
  fi
  rm -rf "$tmp"
  return $rc
}

if [ $need_image -eq 1 ]; then
  # apt-get download needs the package lists (a fresh container has none).
  policy=$(apt-cache policy "$IMAGE_DEB" 2>/dev/null || true)
  if [[ "$policy" != *"Candidate: "[0-9]* ]]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "setup-deps: apt knows no $IMAGE_DEB package (the bundled test image comes from it); run 'apt-get update' as root, or 'make deps' as root" >&2
      exit 1
    fi
    apt_update
  fi
  step "extracting the test image astronaut.png (0.8 MB) from Debian's $IMAGE_DEB (21 MB download, not installed)" \
    fetch_image
fi

if [ $need_npm -eq 1 ]; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
  if [ "$major" = none ] || [ "$major" -lt 18 ]; then
    echo "setup-deps: the browser tests need Node.js >= 18 for playwright-core $PW_WANT; node is ${major/none/missing} ($(command -v node || echo 'not on PATH'))" >&2
    exit 1
  fi
  # npm ci installs exactly tests/e2e/package-lock.json; no browser download (Debian's chromium is used).
  step "installing playwright-core $PW_WANT, @duckdb/node-api (with its native binary, 68 MB unpacked) and hyparquet from the npm registry (no browser download) with npm $(npm --version)" \
    bash -c 'cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund'
  # Warnings (e.g. EBADENGINE) are worth seeing even when the install worked.
  printf '%s\n' "$STEP_OUT" | grep -iE '^npm (warn|err)' | sed 's/^/setup-deps: npm said: /' || true
fi
echo "setup-deps: done (log: $LOG)"
