// Fuzz targets: one function per parser a user can feed, from raw bytes to an
// Outcome. The same functions run under libFuzzer (tests/fuzz/fuzz_main.cpp,
// `make fuzz`) and in the doctest suite over the committed seeds and every
// input that once crashed (tests/fuzz/regressions_test.cpp).
//
// A target never trusts its input and never throws: a rejected input is an
// Outcome with ok = false and a message; `broken` lists properties the target
// checked that did not hold (a sliced parse that differs from the whole one, a
// save that does not load back...). libFuzzer aborts on a broken property or
// on an error without a message, the doctest fails.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fk::fuzz {

struct Outcome {
  bool ok = false;
  std::string message;              // why the input was rejected (ok = false)
  std::vector<std::string> broken;  // violated properties: each one is a bug

  void Check(bool cond, const std::string& what) {
    if (!cond) broken.push_back(what);
  }
  void Set(const Status& s) {
    ok = s.ok();
    message = s.message();
  }
};

using TargetFn = Outcome (*)(const uint8_t* data, size_t size);
struct Target {
  const char* name;  // = the harness name, the corpus and regressions folder
  TargetFn fn;
};
// Every target, by name. A new parser gets a target here, a harness in
// tests/fuzz/CMakeLists.txt and seeds in tests/fuzz/corpus/<name>/.
const std::vector<Target>& Targets();

// [SECTION] the targets (tests/fuzz/targets/*.cpp)
Outcome StreamJsonl(const uint8_t* data, size_t size);        // stream_jsonl
Outcome StreamCsv(const uint8_t* data, size_t size);          // stream_csv
Outcome ForecastTarget(const uint8_t* data, size_t size);     // forecast_target
Outcome ForecastRelated(const uint8_t* data, size_t size);    // forecast_related
Outcome ForecastMetadata(const uint8_t* data, size_t size);   // forecast_metadata
Outcome LabelsManifest(const uint8_t* data, size_t size);     // labels_manifest
Outcome LabelsImage(const uint8_t* data, size_t size);        // labels_image
Outcome NnModelFile(const uint8_t* data, size_t size);        // nn_model_file
Outcome FeaturesSchema(const uint8_t* data, size_t size);     // features_schema
Outcome FeaturesIngest(const uint8_t* data, size_t size);     // features_ingest
Outcome FeaturesWal(const uint8_t* data, size_t size);        // features_wal
Outcome CoreSettings(const uint8_t* data, size_t size);       // core_settings
Outcome CoreParquet(const uint8_t* data, size_t size);        // core_parquet
Outcome RecommendData(const uint8_t* data, size_t size);      // recommend_data
Outcome RecommendMovielens(const uint8_t* data, size_t size); // recommend_movielens
Outcome AnomalyNab(const uint8_t* data, size_t size);         // anomaly_nab
Outcome NnTflite(const uint8_t* data, size_t size);           // nn_tflite
Outcome NnDatasetCsv(const uint8_t* data, size_t size);       // nn_dataset_csv
Outcome StreamInspect(const uint8_t* data, size_t size);      // stream_inspect
Outcome AnomalyLanding(const uint8_t* data, size_t size);     // anomaly_landing
Outcome RecommendPersonalize(const uint8_t* data, size_t size);  // recommend_personalize
Outcome ForecastTypes(const uint8_t* data, size_t size);      // forecast_types
Outcome CheckoutEvents(const uint8_t* data, size_t size);     // checkout_events

// [SECTION] helpers

// Inputs made of several files (a data set, a train/test split) separate
// them with this line; missing parts are empty files.
constexpr std::string_view kPartSeparator = "\n%%%%\n";
std::vector<std::string> SplitParts(std::string_view input, size_t parts);

// This process's scratch folder (under /dev/shm when there is one, so file
// round trips cost little); removed at exit. Every target empties what it uses.
const std::string& ScratchDir();
// Writes bytes to ScratchDir()/name (folders created); returns the path.
std::string WriteScratchFile(const std::string& name, std::string_view bytes);
// Removes ScratchDir()/name recursively (a file or a folder).
void RemoveScratch(const std::string& name);

}  // namespace fk::fuzz
