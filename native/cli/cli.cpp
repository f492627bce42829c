#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/json_write.h"
#include "core/strings.h"

namespace fk::cli {

const std::vector<std::string> kCommonFlags = {"json", "help", "progress", "quiet"};

static bool Contains(const std::vector<std::string>& list, const std::string& s) {
  for (auto& x : list)
    if (x == s) return true;
  return false;
}

Args::Args(std::vector<std::string> argv, std::vector<std::string> flags_without_value) {
  auto is_flag = [&](const std::string& k) { return Contains(kCommonFlags, k) || Contains(flags_without_value, k); };
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
  for (auto& kv : kv_)
    if (!Contains(known, kv.first)) throw UsageError{"unknown option --" + kv.first + " (see --help)"};
}

void Args::CheckFlags(const std::vector<Flag>& flags) const {
  std::vector<std::string> known = kCommonFlags;
  for (auto& f : flags) known.push_back(f.name);
  CheckKnown(known);
}

// [SECTION] verb tables

std::vector<Flag> Flags(std::initializer_list<std::vector<Flag>> groups) {
  std::vector<Flag> out;
  for (auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

// "a, b or c"
static std::string VerbNames(const VerbTable& t) {
  std::string s;
  for (size_t i = 0; i < t.verbs.size(); i++)
    s += (i == 0 ? "" : i + 1 == t.verbs.size() ? " or " : ", ") + t.verbs[i].name;
  return s;
}

// Rows "  --name VALUE   help", the help column aligned; a long name puts its
// help on the next line, and continuation lines of a help are indented to it.
static std::string FlagRows(const std::vector<Flag>& flags) {
  const size_t kMaxColumn = 30;
  size_t column = 0;
  for (auto& f : flags) {
    const size_t w = 4 + f.name.size() + (f.value.empty() ? 0 : f.value.size() + 1) + 2;
    if (w <= kMaxColumn) column = std::max(column, w);
  }
  std::string out;
  for (auto& f : flags) {
    std::string left = "  --" + f.name + (f.value.empty() ? "" : " " + f.value);
    if (left.size() + 2 > column) left += "\n" + std::string(column, ' ');
    else left.append(column - left.size(), ' ');
    std::string help = f.help;
    for (size_t at = 0; (at = help.find('\n', at)) != std::string::npos; at += column + 1)
      help.insert(at + 1, std::string(column, ' '));
    out += left + help + "\n";
  }
  return out;
}

std::string VerbHelp(const VerbTable& t, const Verb& v) {
  std::string h = "usage: fieldkit-cli " + t.command + " " + v.name + (v.operands.empty() ? "" : " " + v.operands) +
                  " [options]\n\n" + v.summary + "\n";
  if (!v.flags.empty()) h += "\noptions:\n" + FlagRows(v.flags);
  h += "\ncommon: --json (one JSON object on stdout), --progress|--quiet (progress bar on stderr), --help\n";
  if (!v.details.empty()) h += "\n" + v.details + (v.details.back() == '\n' ? "" : "\n");
  return h;
}

std::string CommandHelp(const VerbTable& t) {
  std::string h = "usage: fieldkit-cli " + t.command + " <verb> [options]   (fieldkit-cli " + t.command +
                  " <verb> --help)\n\nverbs:\n";
  size_t width = 0;
  for (auto& v : t.verbs) width = std::max(width, v.name.size());
  for (auto& v : t.verbs) h += "  " + v.name + std::string(width - v.name.size() + 2, ' ') + v.summary + "\n";
  if (!t.notes.empty()) h += "\n" + t.notes + (t.notes.back() == '\n' ? "" : "\n");
  return h;
}

int RunVerbTable(const VerbTable& t, const std::vector<std::string>& argv) {
  // Parsing needs to know which flags take no value before the verb is known:
  // a name is a switch in every verb of a table or in none.
  std::vector<std::string> switches, valued;
  for (auto& v : t.verbs)
    for (auto& f : v.flags) (f.value.empty() ? switches : valued).push_back(f.name);
  for (auto& s : switches)
    if (Contains(valued, s) || Contains(kCommonFlags, s))
      throw std::logic_error(t.command + ": flag --" + s + " is a switch in one verb and not in another");
  Args args(argv, switches);
  const std::string verb = args.Positional().empty() ? "" : args.Positional()[0];
  for (auto& v : t.verbs) {
    if (verb != v.name) continue;
    if (args.Has("help")) {
      std::printf("%s", VerbHelp(t, v).c_str());
      return 0;
    }
    args.CheckFlags(v.flags);
    return v.run(args);
  }
  if (args.Has("help") || verb == "help") {
    std::printf("%s", CommandHelp(t).c_str());
    return 0;
  }
  throw UsageError{verb.empty() ? "missing verb: " + VerbNames(t) + " (see --help)"
                                : "unknown verb '" + verb + "': " + VerbNames(t) + " (see --help)"};
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
