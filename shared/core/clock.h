// Monotonic wall clock in milliseconds (steady_clock; performance.now() under
// Emscripten) and a tiny stopwatch.
#pragma once
#include <chrono>

namespace fk {

inline double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

struct Stopwatch {
  double start = NowMs();
  double ElapsedMs() const { return NowMs() - start; }
  void Reset() { start = NowMs(); }
};

}  // namespace fk
