#include "nn/reference.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace fk::nn {

Result<ReferenceFixture> ParseReference(const std::string& text, const std::string& name) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Error(name + ": not a JSON object");
  ReferenceFixture f;
  try {
    f.model = j.at("model").get<std::string>();
    f.file = j.at("file").get<std::string>();
    f.runtime = j.value("runtime", "");
    f.input_shape = j.at("input").at("shape").get<std::vector<int>>();
    for (const auto& o : j.at("outputs")) {
      ReferenceOutput r;
      r.name = o.at("name").get<std::string>();
      r.shape = o.at("shape").get<std::vector<int>>();
      r.count = o.at("count").get<size_t>();
      r.stride = o.at("stride").get<size_t>();
      r.values = o.at("values").get<std::vector<float>>();
      if (r.stride == 0 || r.values.size() != (r.count + r.stride - 1) / r.stride)
        return Status::Error(name + ": output '" + r.name + "': " + std::to_string(r.values.size()) +
                             " values do not match count " + std::to_string(r.count) + " and stride " +
                             std::to_string(r.stride));
      f.outputs.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(name + ": " + e.what());
  }
  return f;
}

std::vector<float> ReferenceInput(size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(double((uint64_t(i) * 7919) % 1000) / 500.0 - 1.0);
  return x;
}

Result<double> MaxRelErrVsReference(const NetExecutor& ex, const ReferenceFixture& ref) {
  if (ex.NumOutputs() != ref.outputs.size())
    return Status::Error(ref.file + ": " + std::to_string(ex.NumOutputs()) + " outputs, the reference has " +
                         std::to_string(ref.outputs.size()));
  double worst = 0;
  for (size_t o = 0; o < ref.outputs.size(); ++o) {
    const ReferenceOutput& r = ref.outputs[o];
    if (ex.OutputShape(o) != r.shape || ex.OutputSize(o) != r.count)
      return Status::Error(ref.file + ": output " + std::to_string(o) + " ('" + r.name + "') has a different shape");
    double m = 0, d = 0;
    for (size_t k = 0; k < r.values.size(); ++k) {
      m = std::max(m, double(std::fabs(r.values[k])));
      d = std::max(d, std::fabs(double(ex.Output(o)[k * r.stride]) - double(r.values[k])));
    }
    worst = std::max(worst, m > 0 ? d / m : d);
  }
  return worst;
}

}  // namespace fk::nn
