// Helpers for the feature store tests: a scratch store folder under the
// current directory (the test runner starts in a scratch dir) and a fixed clock.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/file.h"
#include "features/store.h"

namespace fk::features::test {

// Under the temp dir, never the current directory (a run from the repo root
// would litter it).
inline std::string ScratchDir(const std::string& name) {
  const std::string d = (std::filesystem::temp_directory_path() / ("fk_features_" + name)).string();
  std::filesystem::remove_all(d);
  return d;
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string ReadText(const std::string& path) {
  Result<std::string> s = ReadFile(path);
  return s ? *s : std::string();
}

// A store whose clock reads *now (Unix s); no fsync: these tests check
// semantics, the crash test checks durability.
inline std::unique_ptr<FeatureStore> OpenAt(const std::string& dir, const double* now) {
  StoreOptions o;
  o.now = [now] { return *now; };
  o.fsync = false;
  auto s = FeatureStore::Open(dir, o);
  if (!s) return nullptr;
  return std::move(*s);
}

inline FeatureGroup UsersGroup(double ttl = 0) {
  FeatureGroup g;
  g.name = "users";
  g.record_id = "user_id";
  g.event_time = "ts";
  g.ttl_seconds = ttl;
  g.features = {{"user_id", FeatureType::String},
                {"ts", FeatureType::Fractional},
                {"age", FeatureType::Integral},
                {"city", FeatureType::String}};
  return g;
}

}  // namespace fk::features::test
