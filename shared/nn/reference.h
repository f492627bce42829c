// Reference outputs of the real TFLite runtime (tests/reference/fixtures/*.json,
// made by tests/reference/make_reference.mjs with TFLite-web) and the check of
// our executor against them: the same fixed input, every sampled output value.
//
//   auto ref = fk::nn::ParseReference(json_text, "face_full_sparse.json");
//   std::vector<float> x = fk::nn::ReferenceInput(ex.InputSize());
//   ex.Run(x.data());
//   double err = fk::nn::MaxRelErrVsReference(ex, *ref);   // <= 1e-4 is the bar
#pragma once
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/net_executor.h"

namespace fk::nn {

struct ReferenceOutput {
  std::string name;
  std::vector<int> shape;
  size_t count = 0, stride = 1;
  std::vector<float> values;  // output[0], output[stride], ...
};
struct ReferenceFixture {
  std::string model, file, runtime;
  std::vector<int> input_shape;
  std::vector<ReferenceOutput> outputs;
};

Result<ReferenceFixture> ParseReference(const std::string& json_text, const std::string& name);
// x[i] = f32((i * 7919 % 1000) / 500 - 1), the fixtures' input.
std::vector<float> ReferenceInput(size_t n);
// Worst output's norm-wise error over the sampled values: max|ours - ref| / max|ref|
// (per output; the largest). An error when shapes or counts differ.
Result<double> MaxRelErrVsReference(const NetExecutor& ex, const ReferenceFixture& ref);

}  // namespace fk::nn
