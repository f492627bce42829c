// The bundled MediaPipe models for the doctests, read from the source tree's
// third_party/models (`make deps`). Under Node (the wasm suite) the files are
// read through Node's fs, since the suite's own file system is in memory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/file.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// clang-format off
EM_JS(int, fk_test_host_file_size, (const char* path), {
  try { return require('fs').statSync(UTF8ToString(path)).size; } catch (e) { return -1; }
});
EM_JS(void, fk_test_host_file_read, (const char* path, uint8_t* out), {
  const b = require('fs').readFileSync(UTF8ToString(path));
  HEAPU8.set(b, out);
});
// clang-format on
#endif

namespace fk::test {

inline std::string ModelDir() { return std::string(FIELDKIT_SOURCE_DIR) + "/third_party/models"; }

// Empty when the file is missing (the caller's REQUIRE says to run `make deps`).
inline std::vector<uint8_t> ReadHostFile(const std::string& path) {
#ifdef __EMSCRIPTEN__
  int n = fk_test_host_file_size(path.c_str());
  if (n < 0) return {};
  std::vector<uint8_t> b(size_t(n));
  if (n > 0) fk_test_host_file_read(path.c_str(), b.data());
  return b;
#else
  auto r = fk::ReadFileBytes(path);
  return r ? *r : std::vector<uint8_t>{};
#endif
}

// x[i] = f32((i * 7919 % 1000) / 500 - 1): the fixed input of tests/reference.
inline std::vector<float> PatternInput(size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(double((uint64_t(i) * 7919) % 1000) / 500.0 - 1.0);
  return x;
}

}  // namespace fk::test
