#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages and the npm
# registry. Idempotent: re-running when everything is present does no network work.
# Must run as root (it calls apt-get); prints what to do otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake ninja-build ccache pkg-config python3
      emscripten libimgui-dev libxnnpack-dev libpthreadpool-dev
      nlohmann-json3-dev doctest-dev libstb-dev libglfw3-dev
      chromium chromium-driver xvfb x11-utils imagemagick xz-utils nodejs fonts-dejavu-core)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

IMGUI_TARBALL=third_party/imgui_1.86+ds.orig.tar.xz
need_src=0; [ -f "$IMGUI_TARBALL" ] || need_src=1
need_npm=0; [ -d tests/e2e/node_modules/playwright-core ] || need_npm=1

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ] && [ $need_npm -eq 0 ]; then
  echo "setup-deps: all dependencies present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && { [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; }; then
  echo "setup-deps: missing packages (${missing[*]:-none}) or ImGui sources; run 'sudo $0' (or 'make deps' as root)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() { [ $updated -eq 1 ] || { apt-get update -qq; updated=1; }; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  apt_update
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ $need_src -eq 1 ]; then
  # Dear ImGui's .cpp files (for the wasm build) ship only in Debian's source package.
  # deb822 form with the same Signed-By as Debian's own entry (a one-line deb-src
  # without it conflicts with debian.sources and breaks apt).
  if ! grep -rqsE "^deb-src .*bookworm|^Types:.*deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/fieldkit-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    updated=0
  fi
  apt_update
  mkdir -p third_party
  (cd third_party && apt-get source --download-only -qq imgui >/dev/null 2>&1)
  test -f "$IMGUI_TARBALL" || { echo "setup-deps: apt-get source imgui did not produce $IMGUI_TARBALL" >&2; exit 1; }
fi

if [ $need_npm -eq 1 ]; then
  echo "setup-deps: installing playwright-core from npm (no browser download)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent 2>/dev/null \
     || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent)
fi
echo "setup-deps: done"
