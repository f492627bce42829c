// What this binary is: version, git hash, target and compiled-in SIMD.
// Filled at compile time; the platform entry points add what only they know
// (memory in use, threads) through fk::Platform (see shared/core/platform.h).
#pragma once
#include <string>

namespace fk {

struct BuildInfo {
  std::string version;   // "0.1.0"
  std::string git_hash;  // short hash, "unknown" outside a checkout
  std::string target;    // "native" | "wasm"
  std::string compiler;  // "GCC 12.2.0" | "clang 14 (emscripten)"
  bool simd = false;     // SIMD kernels compiled in (SSE2+ natively, SIMD128 in wasm)
};

const BuildInfo& GetBuildInfo();

}  // namespace fk
