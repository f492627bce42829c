// Runs one fieldkit-cli verb in-process, as native/cli/main.cpp would (its
// exceptions become exit codes), with stdout captured and stderr (the notes)
// sent to /dev/null. Native only: the browser build has no CLI.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace fk::test {

struct VerbOutput {
  int code = -1;
  std::string out, error;
};

inline VerbOutput RunVerb(int (*command)(const std::vector<std::string>&), const std::vector<std::string>& argv) {
  VerbOutput o;
  std::FILE* tmp = std::tmpfile();
  REQUIRE(tmp != nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
  const int null = open("/dev/null", O_WRONLY);
  REQUIRE((saved_out >= 0 && saved_err >= 0 && null >= 0));
  REQUIRE(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
  REQUIRE(dup2(null, STDERR_FILENO) >= 0);
  try {
    o.code = command(argv);
  } catch (const fk::cli::UsageError& e) {
    o.code = 2, o.error = e.message;
  } catch (const fk::cli::InputError& e) {
    o.code = 1, o.error = e.message;
  } catch (const std::exception& e) {
    o.code = 1, o.error = e.what();
  }
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  close(saved_out);
  close(saved_err);
  close(null);
  std::rewind(tmp);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;) o.out.append(buf, n);
  std::fclose(tmp);
  return o;
}

// A verb that must succeed, and the JSON it printed.
inline nlohmann::json RunVerbJson(int (*command)(const std::vector<std::string>&), const std::vector<std::string>& argv) {
  const VerbOutput o = RunVerb(command, argv);
  INFO(o.error);
  REQUIRE(o.code == 0);
  return nlohmann::json::parse(o.out);
}

inline nlohmann::json SparseJson(const std::vector<std::string>& argv) { return RunVerbJson(cli::SparseCommand, argv); }

}  // namespace fk::test
