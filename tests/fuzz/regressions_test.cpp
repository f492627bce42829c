// Every committed fuzz input through the same target its harness runs
// (tests/fuzz/targets): the seeds of tests/fuzz/corpus/<harness>/ and every
// input that once crashed a harness, tests/fuzz/regressions/<harness>/. Each
// must come back as accepted or as an error with a message, with no broken
// property; the ASan + UBSan build of this suite (make sanitize) turns any
// memory error or UB on them into a failure.
#include <doctest/doctest.h>

#include <cstring>
#include <set>
#include <string>

#include "embedded_inputs.h"
#include "fuzz_target.h"

namespace fk::fuzz {
namespace {

const Target* FindTarget(const std::string& name) {
  for (const Target& t : Targets())
    if (name == t.name) return &t;
  return nullptr;
}

// Runs every embedded input of one kind; returns how many ran. (doctest prints
// a const char* as a pointer: names go into messages as std::string.)
size_t RunAll(const char* kind) {
  size_t n = 0;
  for (const EmbeddedInput& in : EmbeddedInputs()) {
    if (std::strcmp(in.kind, kind) != 0) continue;
    const std::string where = std::string("tests/fuzz/") + in.kind + "/" + in.harness + "/" + in.name;
    const Target* t = FindTarget(in.harness);
    CHECK_MESSAGE(t != nullptr, where << ": no fuzz target named '" << std::string(in.harness) << "'");
    if (!t) continue;
    const Outcome o = t->fn(in.data, in.size);
    CHECK_MESSAGE((o.ok || !o.message.empty()), where << ": rejected without a message");
    for (const std::string& b : o.broken) FAIL_CHECK(where << ": " << b);
    n++;
  }
  return n;
}

// What a fixed finding must say now (a regression may not turn into another
// error, or into silence).
struct Expected {
  const char* harness;
  const char* name;
  const char* message_part;
};
const Expected kExpected[] = {
    {"anomaly_nab", "window_not_a_pair.txt", "window 1 is not a [\"start\", \"end\"] pair of timestamps"},
    {"recommend_movielens", "timestamp_9e27.txt", "ua.base:2: timestamp is not Unix seconds"},
    {"nn_tflite", "int32_conv_weights.tflite", "operator #0 (CONV_2D): the filter (tensor #1 't1') has type INT32"},
    {"nn_tflite", "int32_add_operand.tflite", "operator #0 (ADD): the second operand (tensor #1 't1') has type INT32"},
    {"nn_tflite", "zero_rows_resize.tflite", "tensor #0 'input' [1,0,2,3] has a zero dimension"},
    {"nn_tflite", "dilation_overflow.tflite", "dilation 1073741824 and stride 1 need more padding than supported"},
};

}  // namespace

TEST_CASE("fuzz regressions: every input that once crashed a harness is refused or read, cleanly") {
  CHECK(RunAll("regressions") >= 1);
  for (const Expected& e : kExpected) {
    bool found = false;
    for (const EmbeddedInput& in : EmbeddedInputs()) {
      if (std::strcmp(in.kind, "regressions") != 0 || std::strcmp(in.harness, e.harness) != 0 ||
          std::strcmp(in.name, e.name) != 0)
        continue;
      found = true;
      const Outcome o = FindTarget(e.harness)->fn(in.data, in.size);
      INFO((std::string(e.harness) + "/" + e.name + ": " + o.message));
      CHECK(!o.ok);
      CHECK(o.message.find(e.message_part) != std::string::npos);
    }
    CHECK_MESSAGE(found, ("tests/fuzz/regressions/" + std::string(e.harness) + "/" + e.name + " is missing"));
  }
}

TEST_CASE("fuzz seeds: every target has seeds and each is handled cleanly") {
  std::set<std::string> seeded;
  for (const EmbeddedInput& in : EmbeddedInputs())
    if (std::strcmp(in.kind, "corpus") == 0) seeded.insert(in.harness);
  for (const Target& t : Targets()) CHECK_MESSAGE(seeded.count(t.name), ("tests/fuzz/corpus/" + std::string(t.name) + " has no seeds"));
  CHECK(RunAll("corpus") >= 2 * Targets().size());
}

}  // namespace fk::fuzz
