// fieldkit-cli: the headless front end. Each workflow adds one subcommand
// (system, sparse, ...) in its own file native/cli/<name>_cmd.cpp and one line
// in kCommands (native/cli/main.cpp).
//
// Conventions every subcommand keeps:
//  - `--help` prints usage and exits 0;
//  - `--json` prints exactly one JSON object on stdout (nothing else there),
//    through EmitJson;
//  - progress goes to stderr (ProgressBar), only when stderr is a terminal or
//    --progress is given;
//  - bad arguments or input: one line "fieldkit-cli: <what>" on stderr, exit 2
//    (usage) or 1 (input/runtime).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace fk::cli {

// Parsed `--key value`, `--key=value` and `--flag` arguments after the verb.
class Args {
 public:
  Args(std::vector<std::string> argv, std::vector<std::string> flags_without_value);
  bool Has(const std::string& key) const;
  std::string Get(const std::string& key, const std::string& def = "") const;
  // Typed getters: on a malformed value they throw UsageError naming the flag.
  double GetDouble(const std::string& key, double def) const;
  long GetInt(const std::string& key, long def) const;
  std::vector<double> GetDoubleList(const std::string& key, std::vector<double> def) const;
  std::vector<std::string> GetList(const std::string& key, std::vector<std::string> def) const;
  const std::vector<std::string>& Positional() const { return positional_; }
  // Throws UsageError if any --key is not in `known`.
  void CheckKnown(const std::vector<std::string>& known) const;

 private:
  std::vector<std::pair<std::string, std::string>> kv_;
  std::vector<std::string> positional_;
};

struct UsageError {
  std::string message;
};
struct InputError {
  std::string message;
};

// Progress on stderr: "label [#####.....] 52%" redrawn in place.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  void Update(float fraction, const std::string& detail = "");
  void Done();

 private:
  std::string label_;
  bool enabled_;
  int last_permille_ = -1;
  bool done_ = false;
};
bool ProgressWanted(const Args& args);  // --progress, or stderr is a TTY (and not --quiet)

// The one line of --json output on stdout. Dumped with fk::DumpJson, so
// invalid UTF-8 in a user's path or name becomes U+FFFD instead of throwing
// after the work is done.
void EmitJson(const nlohmann::json& j);

// A subcommand: argv excludes "fieldkit-cli" and the command name itself.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& argv);
};

int SystemCommand(const std::vector<std::string>& argv);
int SparseCommand(const std::vector<std::string>& argv);
int AnomalyCommand(const std::vector<std::string>& argv);
int FeaturesCommand(const std::vector<std::string>& argv);
int ForecastCommand(const std::vector<std::string>& argv);
int RecommendCommand(const std::vector<std::string>& argv);
int LabelsCommand(const std::vector<std::string>& argv);

}  // namespace fk::cli
