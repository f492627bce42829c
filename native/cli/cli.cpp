#include "cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "core/strings.h"

namespace fk::cli {

Args::Args(std::vector<std::string> argv, std::vector<std::string> flags_without_value) {
  auto is_flag = [&](const std::string& k) {
    for (auto& f : flags_without_value)
      if (f == k) return true;
    return false;
  };
  for (size_t i = 0; i < argv.size(); i++) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string key = a.substr(2), value;
      const size_t eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (!is_flag(key)) {
        if (i + 1 >= argv.size()) throw UsageError{"--" + key + " needs a value"};
        value = argv[++i];
      }
      kv_.emplace_back(key, value);
    } else {
      positional_.push_back(a);
    }
  }
}

bool Args::Has(const std::string& key) const {
  for (auto& kv : kv_)
    if (kv.first == key) return true;
  return false;
}

std::string Args::Get(const std::string& key, const std::string& def) const {
  for (auto it = kv_.rbegin(); it != kv_.rend(); ++it)
    if (it->first == key) return it->second;
  return def;
}

static double ParseDouble(const std::string& key, const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') throw UsageError{"--" + key + ": '" + s + "' is not a number"};
  return v;
}

double Args::GetDouble(const std::string& key, double def) const {
  return Has(key) ? ParseDouble(key, Get(key)) : def;
}

long Args::GetInt(const std::string& key, long def) const {
  if (!Has(key)) return def;
  const std::string s = Get(key);
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') throw UsageError{"--" + key + ": '" + s + "' is not an integer"};
  return v;
}

std::vector<std::string> Args::GetList(const std::string& key, std::vector<std::string> def) const {
  if (!Has(key)) return def;
  std::vector<std::string> out = SplitList(Get(key));
  for (const std::string& item : out)
    if (item.empty()) throw UsageError{"--" + key + ": empty item in '" + Get(key) + "'"};
  return out;
}

std::vector<double> Args::GetDoubleList(const std::string& key, std::vector<double> def) const {
  if (!Has(key)) return def;
  std::vector<double> out;
  for (auto& s : GetList(key, {})) out.push_back(ParseDouble(key, s));
  return out;
}

void Args::CheckKnown(const std::vector<std::string>& known) const {
  for (auto& kv : kv_) {
    bool ok = false;
    for (auto& k : known) ok = ok || k == kv.first;
    if (!ok) throw UsageError{"unknown option --" + kv.first + " (see --help)"};
  }
}

void EmitJson(const nlohmann::json& j) { std::printf("%s\n", DumpJson(j).c_str()); }

bool ProgressWanted(const Args& args) {
  if (args.Has("quiet")) return false;
  return args.Has("progress") || isatty(STDERR_FILENO);
}

ProgressBar::ProgressBar(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
ProgressBar::~ProgressBar() { Done(); }

void ProgressBar::Update(float f, const std::string& detail) {
  if (!enabled_ || done_) return;
  const int permille = int(f * 1000);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  const int width = 30, filled = int(f * width + 0.5f);
  std::string bar(size_t(filled), '#');
  bar.append(size_t(width - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %3d%% %s\033[K", label_.c_str(), bar.c_str(), int(f * 100 + 0.5f),
               detail.c_str());
  std::fflush(stderr);
}

void ProgressBar::Done() {
  if (!enabled_ || done_) return;
  done_ = true;
  if (last_permille_ >= 0) std::fprintf(stderr, "\n");
}

}  // namespace fk::cli
