// The committed fuzz inputs, built into the test binary (tests/fuzz/embed_inputs.cmake).
#pragma once
#include <cstddef>
#include <vector>

namespace fk::fuzz {

struct EmbeddedInput {
  const char* kind;     // "corpus" (a seed) or "regressions" (an input that once crashed)
  const char* harness;  // the target's name
  const char* name;     // the file name
  const unsigned char* data;
  size_t size;
};
const std::vector<EmbeddedInput>& EmbeddedInputs();

}  // namespace fk::fuzz
