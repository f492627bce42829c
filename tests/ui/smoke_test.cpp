// Headless UI smoke test: every registered panel drawn for a few frames with
// no renderer (ImGui builds draw lists; nobody rasterises them). Catches
// Begin/End mismatches, asserts and crashes in panel code.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "fk_imconfig.h"
#include "imgui.h"
#include "ui/app.h"
#include "headless_app.h"

#include "ui/app_state.h"
#include "ui/panels.h"


TEST_CASE("ui/smoke: every registered panel draws frames without ImGui assertions") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  const int before = fk::ui::ImAssertFailures();
  REQUIRE(app.OpenPanel(fk::ui::Panels().back().id));  // so that opening the first one is a change too
  for (const auto& panel : fk::ui::Panels()) {
    CAPTURE(panel.id);
    REQUIRE(app.OpenPanel(panel.id));
    for (int f = 0; f < 4; f++) gui.Frame(app);
    auto status = nlohmann::json::parse(app.StatusJson());
    CHECK(status["panel"] == panel.title);
    CHECK(status["settings"]["panel"] == panel.id);  // settings key on ids
    CHECK(status["items"].contains(std::string("nav.") + panel.title));
    CHECK(fk::ui::ImAssertFailures() == before);
  }
  app.Shutdown();
}

TEST_CASE("ui/smoke: the workflow rows are unique and complete") {
  HeadlessApp h(__func__);
  std::set<std::string> ids, titles, runs;
  for (const auto& p : fk::ui::Panels()) {
    CAPTURE(p.id);
    CHECK(ids.insert(p.id).second);
    CHECK(titles.insert(p.title).second);
    const bool draws = p.draw != nullptr;
    CHECK(draws);
    CHECK(!p.run == !p.run_name);
    if (p.run_name) CHECK(runs.insert(p.run_name).second);
    for (const auto& r : p.more_runs) CHECK(runs.insert(r.name).second);
    CHECK((!p.import || p.claim));  // an importer says which files are its own
    // A title opens the panel too (settings files written before ids held the title).
    CHECK(fk::ui::PanelIndex(p.title) == fk::ui::PanelIndex(p.id));
  }
  CHECK(fk::ui::PanelIndex("no such panel") == -1);
  // The unknown-?run= message lists every row's value, so the list cannot go stale.
  CHECK_FALSE(h.app.Run("no-such-demo", {}));
  const std::string err = h.app.State().errors.back();
  for (const std::string& r : runs) CHECK(err.find(r) != std::string::npos);
}

TEST_CASE("ui/smoke: the System benchmark runs as a sliced job and lands in status()") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  REQUIRE(app.Run("system-bench", {}));
  const int frames = h.FramesUntil([](const nlohmann::json& s) { return !s["bench"].is_null(); });
  auto status = nlohmann::json::parse(app.StatusJson());
  CHECK(frames > 1);  // it took several frames: the UI kept drawing meanwhile
  REQUIRE(status["bench"].is_object());
  CHECK(status["bench"]["scalar_gflops"].get<double>() > 0);
  CHECK(status["bench"]["simd_gflops"].get<double>() > 0);
  CHECK(status["panel"] == "System");
  CHECK(status["items"].contains("system.run_bench"));
  // Issue #19's measures: our code's time in frames a job ran in, the ?run= call, the longest slice.
  CHECK(status["work_ms_max_busy"].get<double>() > 0);
  CHECK(status["work_ms_max_busy"].get<double>() < 60000);
  CHECK(status["run_ms_max"]["what"] == "system-bench");
  CHECK(status["run_ms_max"]["ms"].get<double>() >= 0);
  CHECK(status["job"]["max_step_ever"]["ms"].get<double>() > 0);
  CHECK(status["job"]["max_step_ever"]["what"].get<std::string>().find(": ") != std::string::npos);  // "label: detail"
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/smoke: a benchmark asked for while the Sparse panel measures sizes runs at once; the size table resumes after") {
  // The page opens on Sparse Inference, which starts the model-size job by
  // itself (background work); a click on System > Run micro-benchmark during it
  // pauses that job instead of waiting for the whole table.
  HeadlessApp h(__func__);
  REQUIRE(h.app.OpenPanel("Sparse Inference"));
  h.Frames(2);
  auto s0 = h.Status();
  REQUIRE(s0["job"]["state"] == "running");
  REQUIRE(s0["job"]["label"] == "Model sizes");
  REQUIRE(h.app.Run("system-bench", {}));
  auto s1 = h.Status();
  CHECK(s1["job"]["label"] == "Micro-benchmark");
  REQUIRE(s1["job"]["queued"].size() == 1);
  CHECK(s1["job"]["queued"][0] == "Model sizes");  // paused, not lost
  CHECK_FALSE(h.app.Run("system-bench", {}));      // already running: not queued twice
  h.FramesUntil([](const nlohmann::json& s) { return !s["bench"].is_null(); });
  auto s2 = h.Status();
  REQUIRE(s2["bench"].is_object());
  CHECK(s2["bench"]["simd_gflops"].get<double>() > 0);
  // (status() has no sparse_sizes key until the table exists; a const json's [] must not be asked for a missing key)
  CHECK_FALSE((s2.contains("sparse_sizes") && s2["sparse_sizes"].is_array()));  // the benchmark finished before the table
  h.FramesUntil([](const nlohmann::json& s) { return s.contains("sparse_sizes") && s["sparse_sizes"].is_array(); });
  auto s3 = h.Status();
  CHECK(s3["sparse_sizes"].is_array());  // the table resumed and finished
  CHECK(s3["job"]["queued"].empty());
}

TEST_CASE("ui/smoke: an unknown ?run= value is an error the user sees, not a crash") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  CHECK_FALSE(app.Run("no-such-thing", {}));
  gui.Frame(app);
  auto status = nlohmann::json::parse(app.StatusJson());
  REQUIRE(status["errors"].size() == 1);
  CHECK(status["errors"][0].get<std::string>().find("no-such-thing") != std::string::npos);
}

TEST_CASE("ui/files: an imported file is listed; a missing one is a visible error") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  auto& platform = h.platform;
  const std::string path = platform.user_dir + "/model.bin";
  { std::ofstream(path, std::ios::binary) << std::string(1234, 'x'); }
  CHECK(app.Run("import", {{"path", path}}));
  REQUIRE(app.State().imports.size() == 1);
  CHECK(app.State().imports[0].bytes == 1234);
  CHECK_FALSE(app.Run("import", {{"path", platform.user_dir + "/missing.bin"}}));
  auto status = nlohmann::json::parse(app.StatusJson());
  REQUIRE(status["errors"].size() == 1);
  CHECK(status["errors"][0].get<std::string>().find("missing.bin: cannot open") != std::string::npos);
  app.OpenPanel("System");
  for (int f = 0; f < 3; f++) gui.Frame(app);
  CHECK(fk::ui::ImAssertFailures() == 0);
}

TEST_CASE("ui/sparse: ?run=sparse-bench fills status().sparse_bench while frames keep drawing") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  REQUIRE(app.Run("sparse-bench", {{"sparsity", "0,0.9"}, {"width", "0.35"}, {"size", "96"}, {"runs", "2"}}));
  const int frames = h.FramesUntil([](const nlohmann::json& s) { return !s["sparse_bench"].is_null(); });
  nlohmann::json status = nlohmann::json::parse(app.StatusJson());
  CHECK(frames > 2);
  CHECK(status["panel"] == "Sparse Inference");
  REQUIRE(status["sparse_bench"]["results"].size() == 4);  // 2 backends x 2 sparsities
  for (auto& r : status["sparse_bench"]["results"]) {
    CHECK(r["median_ms"].get<double>() > 0);
    CHECK(r["max_rel_err"].get<double>() <= 1e-4);
    CHECK_FALSE(r["kernel"].get<std::string>().empty());
  }
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/sparse: bad ?run=sparse-bench parameters are errors the user sees") {
  HeadlessApp h(__func__);
  auto& app = h.app;
  CHECK_FALSE(app.Run("sparse-bench", {{"sparsity", "abc"}}));
  CHECK_FALSE(app.Run("sparse-bench", {{"sparsity", "1.5"}}));
  CHECK_FALSE(app.Run("sparse-bench", {{"colour", "red"}}));
  auto status = nlohmann::json::parse(app.StatusJson());
  CHECK(status["errors"].size() == 3);
  CHECK(status["job"]["state"] == "idle");
}

TEST_CASE("ui/sparse: importing a corrupt .fks shows the loader's message instead of crashing") {
  HeadlessApp h(__func__);
  auto& gui = h.gui;
  auto& app = h.app;
  auto& platform = h.platform;
  const std::string path = platform.user_dir + "/broken.fks";
  { std::ofstream(path, std::ios::binary) << "FKSM\x01\x00\x00\x00garbage"; }
  CHECK(app.Run("import", {{"path", path}}));  // the file itself was read
  auto status = nlohmann::json::parse(app.StatusJson());
  REQUIRE(status["errors"].size() == 1);
  CHECK(status["errors"][0].get<std::string>().find("broken.fks") != std::string::npos);
  app.OpenPanel("Sparse Inference");
  for (int f = 0; f < 3; f++) gui.Frame(app);
  CHECK(fk::ui::ImAssertFailures() == 0);
  app.Shutdown();
}

TEST_CASE("ui/smoke: the panel does not move when a job starts or ends (the job bar's lines stay reserved)") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.OpenPanel("System"));
  h.Frames(3);
  REQUIRE(h.Status()["job"]["state"] != "running");
  const float idle_y = h.app.State().items.at("panel.body").y;
  REQUIRE(h.app.Run("system-bench", {}));
  int drawn_running = 0;  // frames drawn while the job ran (its bar on screen)
  for (int i = 0; i < 100000 && h.Status()["bench"].is_null(); i++) {
    if (h.Status()["job"]["state"] == "running") drawn_running++;
    h.Frames(1);
    REQUIRE(h.app.State().items.at("panel.body").y == idle_y);
  }
  CHECK(drawn_running > 0);
  h.Frames(2);
  CHECK(h.app.State().items.at("panel.body").y == idle_y);
}

TEST_CASE("ui/smoke: status().items lists only what the last frame drew on screen; scrolled-out widgets are in items_offscreen") {
  HeadlessApp h(__func__);
  REQUIRE(h.app.Run("anomaly-demo", {{"speed", "max"}}));
  h.FramesUntil([](const nlohmann::json& s) {
    return s["anomaly"].is_object() && s["anomaly"].value("state", "") == "done" && s["anomaly"].value("groups", 0) > 0;
  });
  h.Frames(2);
  nlohmann::json s = h.Status();
  // The feedback buttons sit below the charts: drawn, yet only one of the two maps holds each.
  const std::string id = "anomaly.group0.no";
  REQUIRE((s["items"].contains(id) || s["items_offscreen"].contains(id)));
  CHECK_FALSE((s["items"].contains(id) && s["items_offscreen"].contains(id)));
  const auto body = s["items"]["panel.body"];
  for (auto& kv : s["items"].items()) {
    const std::string k = kv.key();  // not a structured binding: clang 14 cannot capture one in CHECK_MESSAGE
    const nlohmann::json& r = kv.value();
    if (k == "panel.body" || k.rfind("anomaly.", 0) != 0) continue;
    const float cy = r[1].get<float>() + r[3].get<float>() / 2;
    CHECK_MESSAGE((cy >= body[1].get<float>() && cy <= body[1].get<float>() + body[3].get<float>()), k);
  }
  if (s["items_offscreen"].contains(id)) CHECK(h.ScrollTo(id));  // a wheel over the panel brings it in
  CHECK(h.Status()["items"].contains(id));
  // Another panel: the Anomalies widgets were not drawn in the last frame, so they are not reported.
  REQUIRE(h.app.OpenPanel("System"));
  h.Frames(2);
  s = h.Status();
  CHECK_FALSE(s["items"].contains(id));
  CHECK_FALSE(s["items_offscreen"].contains(id));
  CHECK(s["items"].contains("nav.Anomalies"));
}
