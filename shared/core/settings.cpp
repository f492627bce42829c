#include "core/settings.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/json_write.h"

namespace fk {

std::string Settings::Get(const std::string& key, const std::string& def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

Status Settings::Load(const std::string& path) {
  FileError why;
  Result<std::string> text = ReadFile(path, &why);
  if (why == FileError::kCannotOpen) return Status::Ok();  // first run: no settings yet
  if (!text) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  std::string problem;
  if (j.is_discarded()) {
    problem = "not valid JSON";
  } else if (!j.is_object()) {
    problem = "top level is not an object";
  } else {
    std::map<std::string, std::string> loaded;
    for (auto& [k, v] : j.items()) {
      if (!v.is_string()) {
        problem = "field '" + k + "' is not a string";
        break;
      }
      loaded[k] = v.get<std::string>();
    }
    if (problem.empty()) {
      values_ = std::move(loaded);
      return Status::Ok();
    }
  }
  std::rename(path.c_str(), (path + ".bad").c_str());  // keep it for the user; start clean
  return Status::Error(path + ": " + problem + " (kept as " + path + ".bad, using defaults)");
}

Status Settings::Save(const std::string& path) const {
  nlohmann::json j = nlohmann::json::object();
  for (auto& [k, v] : values_) j[k] = v;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Error(path + ": cannot write");
    out << DumpJson(j, 2) << "\n";  // values may hold a user's paths
    if (!out) return Status::Error(path + ": write failed");
  }
  // Atomic replace: a crash mid-write never loses the previous settings.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::Error(path + ": cannot replace");
  return Status::Ok();
}

}  // namespace fk
