// fieldkit-cli entry point: dispatches to one subcommand per workflow.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "core/build_info.h"

namespace {

const fk::cli::Command kCommands[] = {
    {"system", "machine info and the SIMD-vs-scalar micro-benchmark", fk::cli::SystemCommand},
    {"sparse", "prune, store and run MobileNet-style models sparse; size and latency benches",
     fk::cli::SparseCommand},
    {"anomaly", "streaming windows, anomaly detection, alerts; NAB scoring and benches", fk::cli::AnomalyCommand},
    {"features", "feature store: groups, ingest, get/delete, point-in-time joins, verify", fk::cli::FeaturesCommand},
    {"forecast", "forecasts: prepare data sets, ETS/Theta/Comb with quantiles, backtests; M3 evaluation",
     fk::cli::ForecastCommand},
    {"recommend", "contextual recommendations: generate, train, eval, top; MovieLens evaluation",
     fk::cli::RecommendCommand},
    {"labels", "label review: logo data set, v1 -> v2 loop with a simulated reviewer, eval, manifest check",
     fk::cli::LabelsCommand},
    {"checkout", "edge checkout: a simulated shelf camera, take / put-back events into carts, scored",
     fk::cli::CheckoutCommand},
};

void Usage(FILE* out) {
  std::fprintf(out, "usage: fieldkit-cli <command> [options]   (fieldkit-cli <command> --help)\n\ncommands:\n");
  for (auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n  --version  print version and git hash\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    Usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    Usage(stdout);
    return 0;
  }
  if (name == "--version") {
    const auto& b = fk::GetBuildInfo();
    std::printf("fieldkit-cli %s (%s, %s)\n", b.version.c_str(), b.git_hash.c_str(), b.compiler.c_str());
    return 0;
  }
  for (auto& c : kCommands) {
    if (name != c.name) continue;
    std::vector<std::string> rest(argv + 2, argv + argc);
    try {
      return c.run(rest);
    } catch (const fk::cli::UsageError& e) {
      std::fprintf(stderr, "fieldkit-cli %s: %s\n", c.name, e.message.c_str());
      return 2;
    } catch (const fk::cli::InputError& e) {
      std::fprintf(stderr, "fieldkit-cli %s: %s\n", c.name, e.message.c_str());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fieldkit-cli %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "fieldkit-cli: unknown command '%s' (try --help)\n", name.c_str());
  return 2;
}
