// The target list and the helpers every target shares.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "../fuzz_target.h"

namespace fs = std::filesystem;

namespace fk::fuzz {

const std::vector<Target>& Targets() {
  static const std::vector<Target> targets = {
      {"anomaly_landing", AnomalyLanding},
      {"anomaly_nab", AnomalyNab},
      {"checkout_events", CheckoutEvents},
      {"core_parquet", CoreParquet},
      {"core_settings", CoreSettings},
      {"features_ingest", FeaturesIngest},
      {"features_schema", FeaturesSchema},
      {"features_wal", FeaturesWal},
      {"forecast_metadata", ForecastMetadata},
      {"forecast_related", ForecastRelated},
      {"forecast_target", ForecastTarget},
      {"forecast_types", ForecastTypes},
      {"labels_image", LabelsImage},
      {"labels_manifest", LabelsManifest},
      {"nn_dataset_csv", NnDatasetCsv},
      {"nn_model_file", NnModelFile},
      {"nn_tflite", NnTflite},
      {"recommend_data", RecommendData},
      {"recommend_movielens", RecommendMovielens},
      {"recommend_personalize", RecommendPersonalize},
      {"stream_csv", StreamCsv},
      {"stream_inspect", StreamInspect},
      {"stream_jsonl", StreamJsonl},
  };
  return targets;
}

std::vector<std::string> SplitParts(std::string_view input, size_t parts) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (out.size() + 1 < parts) {
    const size_t sep = input.find(kPartSeparator, pos);
    if (sep == std::string_view::npos) break;
    out.emplace_back(input.substr(pos, sep - pos));
    pos = sep + kPartSeparator.size();
  }
  if (pos <= input.size()) out.emplace_back(input.substr(pos));
  out.resize(parts);
  return out;
}

namespace {
void RemoveScratchDir() {
  std::error_code ec;
  fs::remove_all(ScratchDir(), ec);
}
}  // namespace

const std::string& ScratchDir() {
  // Never destroyed: the exit handler that removes the folder still needs it.
  static const std::string* dir = [] {
    std::error_code ec;
    fs::path base = "/dev/shm";
    if (!fs::is_directory(base, ec) || ::access(base.c_str(), W_OK) != 0) base = fs::temp_directory_path(ec);
    if (ec || base.empty()) base = ".";
    const fs::path d = base / ("fk-fuzz-" + std::to_string(::getpid()));
    fs::remove_all(d, ec);
    fs::create_directories(d, ec);
    return new std::string(d.string());
  }();
  static const bool cleanup = std::atexit(RemoveScratchDir) == 0;
  (void)cleanup;
  return *dir;
}

std::string WriteScratchFile(const std::string& name, std::string_view bytes) {
  const fs::path p = fs::path(ScratchDir()) / name;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  return p.string();
}

void RemoveScratch(const std::string& name) {
  std::error_code ec;
  fs::remove_all(fs::path(ScratchDir()) / name, ec);
}

}  // namespace fk::fuzz
