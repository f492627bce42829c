// The bundled MediaPipe models for the doctests, read from the source tree's
// third_party/models (`make deps`). Under Node (the wasm suite) the files are
// read through Node's fs, since the suite's own file system is in memory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/file.h"
#include "nn/model_zoo.h"

#ifdef __EMSCRIPTEN__
// Defined once with EM_JS in host_file_test.cpp (Node's fs).
extern "C" int fk_test_host_file_size(const char* path);
extern "C" void fk_test_host_file_read(const char* path, uint8_t* out);
#endif

namespace fk::test {

inline std::string ModelDir() { return std::string(FIELDKIT_SOURCE_DIR) + "/third_party/models"; }

// Empty when the file is missing (the caller's REQUIRE says to run `make deps`).
inline std::vector<uint8_t> ReadHostFile(const std::string& path) {
#ifdef __EMSCRIPTEN__
  int n = fk_test_host_file_size(path.c_str());
  if (n < 0) return {};
  std::vector<uint8_t> b(static_cast<size_t>(n));
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

// The build's bundle layout (models/, models/reference/, images/) staged in a
// temp dir (the suite's own file system under wasm) and added as a bundle root,
// so code that resolves bundled names runs as in the programs. Once per process.
inline bool StageBundle() {
  static int staged = -1;
  if (staged >= 0) return staged == 1;
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("fk_bundle_" + std::to_string(getpid()));
  std::error_code ec;
  fs::create_directories(root / "models" / "reference", ec);
  fs::create_directories(root / "images", ec);
  auto copy = [&](const std::string& from, const fs::path& to) {
    std::vector<uint8_t> b = ReadHostFile(from);
    if (b.empty()) return false;
    std::ofstream(to, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    return true;
  };
  bool ok = copy(std::string(FIELDKIT_SOURCE_DIR) + "/third_party/images/astronaut.png", root / "images" / "astronaut.png");
  for (const nn::BundledModel& m : nn::BundledModels()) {
    ok = copy(ModelDir() + "/" + m.file, root / "models" / m.file) && ok;
    ok = copy(std::string(FIELDKIT_SOURCE_DIR) + "/tests/reference/fixtures/" + nn::ShortName(m) + ".json",
              root / "models" / "reference" / (nn::ShortName(m) + ".json")) && ok;
  }
  nn::AddBundleRoot(root.string());
  staged = ok ? 1 : 0;
  return ok;
}

}  // namespace fk::test
