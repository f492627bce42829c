// libFuzzer entry point of one harness: FK_FUZZ_TARGET names the target
// (tests/fuzz/CMakeLists.txt compiles this file once per harness).
#include <cstdio>
#include <cstdlib>

#include "fuzz_target.h"

#ifndef FK_FUZZ_TARGET
#error "FK_FUZZ_TARGET must name a target function"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fk::fuzz::Outcome o = fk::fuzz::FK_FUZZ_TARGET(data, size);
  // A violated property or a silent rejection is a finding like a crash:
  // abort so libFuzzer saves the input.
  if (!o.ok && o.message.empty()) {
    std::fprintf(stderr, "fuzz: input rejected without a message\n");
    std::abort();
  }
  if (!o.broken.empty()) {
    for (auto& b : o.broken) std::fprintf(stderr, "fuzz: broken property: %s\n", b.c_str());
    std::abort();
  }
  return 0;
}
