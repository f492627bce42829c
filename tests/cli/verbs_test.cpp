// The subcommands' verb tables (native/cli/*_cmd.cpp): every verb listed by
// `<command> --help` has its own help made from its rows, rejects flags that
// are not its own with the one message, and accepts the common flags.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "run_verb.h"

namespace {

using Command = int (*)(const std::vector<std::string>&);

// The verb names of a command's help: the lines after "verbs:" up to a blank line.
std::vector<std::string> ListedVerbs(const std::string& help) {
  std::vector<std::string> verbs;
  std::istringstream in(help.substr(help.find("verbs:\n") + 7));
  for (std::string line; std::getline(in, line) && !line.empty();) verbs.push_back(line.substr(2, line.find(' ', 2) - 2));
  return verbs;
}

}  // namespace

TEST_CASE("cli/verbs: each verb's help comes from its table and other verbs' flags are refused") {
  const std::pair<const char*, Command> commands[] = {
      {"system", fk::cli::SystemCommand},     {"sparse", fk::cli::SparseCommand},
      {"anomaly", fk::cli::AnomalyCommand},   {"features", fk::cli::FeaturesCommand},
      {"forecast", fk::cli::ForecastCommand}, {"recommend", fk::cli::RecommendCommand},
      {"labels", fk::cli::LabelsCommand}};
  for (auto& [name, command] : commands) {
    INFO(name);
    const auto help = fk::test::RunVerb(command, {"--help"});
    REQUIRE(help.code == 0);
    CHECK(help.out.rfind(std::string("usage: fieldkit-cli ") + name + " <verb>", 0) == 0);
    const std::vector<std::string> verbs = ListedVerbs(help.out);
    REQUIRE(verbs.size() >= 2);
    for (auto& verb : verbs) {
      INFO(verb);
      const auto vh = fk::test::RunVerb(command, {verb, "--help"});
      CHECK(vh.code == 0);
      CHECK(vh.out.rfind(std::string("usage: fieldkit-cli ") + name + " " + verb, 0) == 0);
      CHECK(vh.out.find("common: --json") != std::string::npos);
      const auto bad = fk::test::RunVerb(command, {verb, "--no-such-flag", "1"});
      CHECK(bad.code == 2);
      CHECK(bad.error == "unknown option --no-such-flag (see --help)");
    }
    const auto unknown = fk::test::RunVerb(command, {"no-such-verb"});
    CHECK(unknown.code == 2);
    CHECK(unknown.error.rfind("unknown verb 'no-such-verb': " + verbs[0], 0) == 0);
    CHECK(unknown.error.find(" or " + verbs.back() + " (see --help)") != std::string::npos);
    const auto missing = fk::test::RunVerb(command, {});
    CHECK(missing.code == 2);
    CHECK(missing.error.rfind("missing verb: " + verbs[0], 0) == 0);
  }
}

TEST_CASE("cli/verbs: flags are checked per verb; the common ones are every verb's") {
  // --rows is features bench's, not list's (one list for all verbs accepted it before).
  auto r = fk::test::RunVerb(fk::cli::FeaturesCommand, {"list", "--store", "no_store_here", "--rows", "5"});
  CHECK(r.code == 2);
  CHECK(r.error == "unknown option --rows (see --help)");
  // --repeats is system bench's, not info's.
  r = fk::test::RunVerb(fk::cli::SystemCommand, {"info", "--repeats", "3"});
  CHECK(r.code == 2);
  CHECK(r.error == "unknown option --repeats (see --help)");
  // --progress and --quiet are common: sparse info gets as far as the missing file.
  r = fk::test::RunVerb(fk::cli::SparseCommand, {"info", "no_model_here.fks", "--progress", "--quiet"});
  CHECK(r.code == 1);
  CHECK(r.error.find("no_model_here.fks") != std::string::npos);
  // A common flag is a switch: it never takes the next argument as its value.
  r = fk::test::RunVerb(fk::cli::SparseCommand, {"info", "--json", "no_model_here.fks"});
  CHECK(r.code == 1);
  CHECK(r.error.find("no_model_here.fks") != std::string::npos);
  // A flag's help in a verb's help: the row, with its value placeholder.
  r = fk::test::RunVerb(fk::cli::SystemCommand, {"bench", "--help"});
  CHECK(r.out.find("  --repeats N ") != std::string::npos);
}
