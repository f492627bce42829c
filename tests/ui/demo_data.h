// Demo data sets written into a fresh folder for the UI tests (the bundled
// data/ stays untouched), and the wait for a named job to be the running one.
#pragma once
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "features/demo_data.h"
#include "headless_app.h"
#include "recommend/generate.h"
#include "ui/app_state.h"

// <dir>/features/{customers,orders}.csv, as data/features holds them.
inline std::string WriteFeaturesDemo(const std::string& name) {
  const std::string dir = HeadlessImGui::UserDir(name);
  std::filesystem::create_directories(dir + "/features");
  const auto d = fk::features::MakeDemoData();
  std::ofstream(dir + "/features/customers.csv", std::ios::binary) << d.customers_csv;
  std::ofstream(dir + "/features/orders.csv", std::ios::binary) << d.orders_csv;
  return dir;
}

// A generated recommendations data set with `users` users (fewer: a faster test).
inline std::string WriteRecommendDemo(const std::string& name, int users) {
  const std::string dir = HeadlessImGui::UserDir(name);
  fk::recommend::GenerateOptions o;
  o.users = users;
  const fk::Status st = fk::recommend::WriteDataset(dir, fk::recommend::Generate(o));
  if (!st.ok()) throw std::runtime_error(st.message());  // doctest reports it as the test's failure
  return dir;
}

// Runs frames until `label` is the running job: a start-up job may run first
// and the wanted one waits in the queue; a job starts at a frame's end and
// steps from the next, so it is caught before its first step.
inline bool FramesUntilRunning(HeadlessApp& h, const std::string& label) {
  auto& jobs = h.app.State().jobs;
  h.FramesUntil([&](const nlohmann::json&) { return jobs.State() == fk::JobState::Running && jobs.Label() == label; });
  return jobs.State() == fk::JobState::Running && jobs.Label() == label;
}
