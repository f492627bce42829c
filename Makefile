# Fieldkit: the two commands a user needs are `make demo` and `make test`.
#   make deps    install what make demo needs (Debian packages, ImGui sources, the MediaPipe models,
#                the test image, XNNPACK's sources from Debian's trixie source pool for the browser
#                build), idempotent, as root
#   make deps-test  install what make test adds (chromium, Xvfb, npm + playwright-core), as root
#   make build   native (build/native/) + browser (build/web/)
#   make native  desktop app + CLI + native tests only
#   make web     the static site only
#   make demo    build, then serve build/web at http://127.0.0.1:8000
#   make test    build, then every test (native + wasm doctest, serve.py, browser e2e, desktop smoke,
#                the native doctest suite again under ASan + UBSan)
#   make sanitize  the ASan + UBSan build of the native doctest suite only (build/asan/)
#   make fuzz    every libFuzzer harness of tests/fuzz for FUZZ_SECONDS (60) each, FUZZ_JOBS (1) at a
#                time (clang, build/fuzz/); one summary line per harness, non-zero on any finding
SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PORT ?= 8000
export NODE_PATH := /usr/share/nodejs
# ccache (when installed) keys on paths relative to the checkout, so a second clone
# (CI's) reuses what the first one compiled instead of rebuilding from nothing.
export CCACHE_BASEDIR := $(CURDIR)

NATIVE_CMAKE := build/cmake-native
WASM_CMAKE := build/cmake-wasm
ASAN_CMAKE := build/cmake-asan

.PHONY: all deps deps-test build native web sanitize fuzz demo test clean

all: build

deps:
	@bash scripts/setup-deps.sh build

deps-test:
	@bash scripts/setup-deps.sh test

build: deps native web

native:
	@cmake -S . -B $(NATIVE_CMAKE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDKIT_OUT_DIR=$(CURDIR)/build/native
	@ninja -C $(NATIVE_CMAKE) -j $(JOBS) fieldkit fieldkit-cli fieldkit-tests

web:
	@emcmake cmake -S . -B $(WASM_CMAKE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFIELDKIT_OUT_DIR=$(CURDIR)/build/web
	@ninja -C $(WASM_CMAKE) -j $(JOBS) fieldkit fieldkit_web_shell fieldkit-tests fieldkit_web_assets

# -O1 -g1: reports with file:line stacks (line tables are all a report needs; full -g took a
# quarter more compile time), and the suite still runs in minutes.
sanitize:
	@cmake -S . -B $(ASAN_CMAKE) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DFIELDKIT_SANITIZE=ON -DFIELDKIT_OUT_DIR=$(CURDIR)/build/asan
	@ninja -C $(ASAN_CMAKE) -j $(JOBS) fieldkit-tests

FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) JOBS=$(JOBS) bash scripts/fuzz.sh

demo: build
	@echo "Desktop app: build/native/fieldkit   CLI: build/native/fieldkit-cli --help"
	@python3 serve.py --port $(PORT) --root build/web

# Test dependencies first, so a failing download shows before the long builds. The three builds
# run side by side: each one's serial steps (configure, the big links) leave a core idle.
test: deps deps-test
	@$(MAKE) --no-print-directory -j3 native web sanitize
	@bash scripts/test.sh

clean:
	rm -rf build
