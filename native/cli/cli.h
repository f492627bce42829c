// fieldkit-cli: the headless front end. Each workflow adds one subcommand
// (system, sparse, ...) in its own file native/cli/<name>_cmd.cpp and one line
// in kCommands (native/cli/main.cpp). A subcommand is a VerbTable: one row per
// verb {name, summary, flags, run}, one row per flag {name, value, help}; the
// dispatcher (RunVerbTable) and every --help text are made from the rows, so a
// new flag is one row.
//
// Conventions every subcommand keeps:
//  - `--help` prints usage and exits 0 (`<command> --help`: the verbs;
//    `<command> <verb> --help`: the verb's flags);
//  - `--json` prints exactly one JSON object on stdout (nothing else there),
//    through EmitJson;
//  - progress goes to stderr (ProgressBar), only when stderr is a terminal or
//    --progress is given;
//  - --json, --help, --progress and --quiet are accepted by every verb (Args
//    knows them); any other flag must be in the verb's rows;
//  - bad arguments or input: one line "fieldkit-cli: <what>" on stderr, exit 2
//    (usage) or 1 (input/runtime).
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace fk::cli {

struct Flag;

// The flags every verb accepts, all switches: json, help, progress, quiet.
extern const std::vector<std::string> kCommonFlags;

// Parsed `--key value`, `--key=value` and `--flag` arguments after the verb.
// kCommonFlags are always switches (they never take the next argument).
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
  // Throws UsageError if any --key is not in `known` (kCommonFlags included
  // only if listed).
  void CheckKnown(const std::vector<std::string>& known) const;
  // Throws UsageError if any --key is neither a common flag nor one of `flags`.
  void CheckFlags(const std::vector<Flag>& flags) const;

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

// One flag of a verb: its name without "--", the placeholder of its value in
// the help ("FILE", "N"; empty for a switch, which takes no value) and its help.
// A help line may continue on lines of its own ('\n'); they are indented.
struct Flag {
  std::string name;
  std::string value;
  std::string help;
};

// Concatenates flag groups, so a group shared by several verbs (the forecast
// prepare options, the recommenders' model options) is written once.
std::vector<Flag> Flags(std::initializer_list<std::vector<Flag>> groups);

// One verb of a subcommand. `summary` is the line in the command's verb list
// and the verb help's first line; `operands` names positional arguments after
// the verb in the usage line ("model.fks"); `details` follows the flags in the
// verb's help (what it does, the JSON keys).
struct Verb {
  std::string name;
  std::string summary;
  std::vector<Flag> flags;
  int (*run)(const Args&);
  std::string operands = "";
  std::string details = "";
};

struct VerbTable {
  std::string command;       // "sparse"
  std::vector<Verb> verbs;
  std::string notes = "";    // after the verb list in `<command> --help`
};

// Parses argv (switches: the tables' value-less flags), takes the first
// positional argument as the verb, prints its help for --help, checks its flags
// (CheckFlags) and runs it. No verb or an unknown one is a UsageError listing
// the verbs; `<command> --help` (or `help`) prints CommandHelp.
int RunVerbTable(const VerbTable& table, const std::vector<std::string>& argv);
std::string CommandHelp(const VerbTable& table);
std::string VerbHelp(const VerbTable& table, const Verb& verb);

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
int CheckoutCommand(const std::vector<std::string>& argv);

}  // namespace fk::cli
