// doctest's main in its own file: it is the slowest header to compile.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#ifndef __EMSCRIPTEN__
#include <stdlib.h>

#include <filesystem>
#include <string>
#endif

// Natively, each run of the suite gets a temporary folder of its own: tests name their scratch files
// under std::filesystem::temp_directory_path() (TMPDIR), and make test runs the ASan and the plain
// suites at once, so two runs must never share /tmp/fk_... names. (Under Node the file system is the
// process's own.)
int main(int argc, char** argv) {
#ifndef __EMSCRIPTEN__
  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "fieldkit-tests.XXXXXX").string();
  const bool own = !ec && mkdtemp(tmpl.data()) != nullptr;
  if (own) setenv("TMPDIR", tmpl.c_str(), 1);
#endif
  doctest::Context context(argc, argv);
  const int rc = context.run();
#ifndef __EMSCRIPTEN__
  if (own) std::filesystem::remove_all(tmpl, ec);
#endif
  return rc;
}
