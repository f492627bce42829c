// Helpers for the feature store tests: a scratch store folder under the
// current directory (the test runner starts in a scratch dir) and a fixed clock.
#pragma once
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <cstdio>
#include <vector>

#include "core/csv.h"
#include "core/file.h"
#include "core/parquet.h"
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

// Every row of the offline part files under dir (recursively), CSV and
// Parquet alike, as CSV lines without their header, in file order: Parquet
// values as text (numbers shortest, times ISO-8601, nulls empty).
inline std::vector<std::string> OfflineRows(const std::string& dir) {
  std::vector<std::string> rows;
  std::vector<std::string> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".csv" || e.path().extension() == ".parquet") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (auto& f : files) {
    const std::string text = ReadText(f);
    if (f.size() > 4 && f.substr(f.size() - 4) == ".csv") {
      size_t pos = text.find('\n') + 1;  // past the header
      while (pos < text.size()) {
        const size_t nl = text.find('\n', pos);
        rows.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
      }
      continue;
    }
    auto t = parquet::ReadParquet(text, f);
    if (!t) {
      rows.push_back("unreadable: " + t.status().message());
      continue;
    }
    for (size_t r = 0; r < t->rows; r++) {
      std::string line;
      for (size_t c = 0; c < t->columns.size(); c++) {
        const parquet::ParquetColumn& col = t->columns[c];
        if (c) line += ',';
        if (col.nulls[r]) continue;
        char b[40];
        switch (col.spec.type) {
          case parquet::ColumnType::String: AppendCsvCell(&line, col.strings[r]); break;
          case parquet::ColumnType::Int64: line += std::to_string(col.ints[r]); break;
          case parquet::ColumnType::Double: std::snprintf(b, sizeof b, "%.15g", col.doubles[r]), line += b; break;
          case parquet::ColumnType::Boolean: line += col.ints[r] ? "true" : "false"; break;
          case parquet::ColumnType::Timestamp:
            line += FormatIso8601(double(col.ints[r]) / (col.spec.unit == parquet::TimeUnit::Millis ? 1e3 : 1e6));
            break;
        }
      }
      rows.push_back(line);
    }
  }
  return rows;
}

}  // namespace fk::features::test
