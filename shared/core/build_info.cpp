#include "core/build_info.h"

namespace fk {

const BuildInfo& GetBuildInfo() {
  static const BuildInfo info = [] {
    BuildInfo b;
    b.version = FIELDKIT_VERSION;
    b.git_hash = FIELDKIT_GIT_HASH;
#if defined(__EMSCRIPTEN__)
    b.target = "wasm";
    b.compiler = "clang " __clang_version__;
#else
    b.target = "native";
#if defined(__clang__)
    b.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
    b.compiler = "GCC " __VERSION__;
#endif
#endif
#if defined(__EMSCRIPTEN__) || defined(__x86_64__) || defined(__SSE2__)
    b.simd = true;  // wasm: SIMD128 kernels are linked; x86-64 always has SSE2
#endif
    return b;
  }();
  return info;
}

}  // namespace fk
