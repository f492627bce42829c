// Node's fs for the wasm suite (tests/nn/tflite_models.h ReadHostFile): the
// suite's own file system is in memory, the bundled models are on the host.
#include <doctest/doctest.h>

#include "tflite_models.h"

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

TEST_CASE("tests: the host's files are readable from the suite (the bundled models, natively and under Node)") {
  const std::vector<uint8_t> b = fk::test::ReadHostFile(std::string(FIELDKIT_SOURCE_DIR) + "/tests/reference/fixtures/face_short.json");
  REQUIRE(b.size() > 1000);
  CHECK(b[0] == '{');
  CHECK(fk::test::ReadHostFile("/nonexistent/file").empty());
}
