#include <atomic>
#include <cstdio>

#include "fk_imconfig.h"

namespace fk::ui {
static std::atomic<int> g_failures{0};
void ImAssertFailed(const char* expr, const char* file, int line) {
  if (g_failures.fetch_add(1) < 20) std::fprintf(stderr, "ImGui assertion failed: %s (%s:%d)\n", expr, file, line);
}
int ImAssertFailures() { return g_failures.load(); }
}  // namespace fk::ui
