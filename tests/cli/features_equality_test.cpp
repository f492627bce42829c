// The Feature Store panel (?run=features-demo) and `fieldkit-cli features
// create|ingest|pit` run the same features::IngestSession and
// TrainingSetSession: on the demo data they infer the same schema, ingest and
// reject the same rows (with the same reasons), hold the same records with the
// same values, and write the same point-in-time training set, byte for byte.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../ui/headless_app.h"
#include "features/demo_data.h"
#include "features/store.h"
#include "run_verb.h"
#include "ui/app_state.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

nlohmann::json Verb(const std::vector<std::string>& argv) {
  const auto out = fk::test::RunVerb(fk::cli::FeaturesCommand, argv);
  INFO(argv[0], ": ", out.error);
  REQUIRE(out.code == 0);
  return nlohmann::json::parse(out.out);
}

}  // namespace

TEST_CASE("cli/features: the panel's demo and the CLI's create, ingest and pit give the same records and set") {
  HeadlessApp h(__func__);
  const std::string data = HeadlessImGui::UserDir("features_equality_data");
  std::filesystem::create_directories(data + "/features");
  const auto demo = fk::features::MakeDemoData();
  std::ofstream(data + "/features/customers.csv", std::ios::binary) << demo.customers_csv;
  std::ofstream(data + "/features/orders.csv", std::ios::binary) << demo.orders_csv;
  const std::string customers = data + "/features/customers.csv", orders = data + "/features/orders.csv";
  h.app.State().platform.data_dir = data;
  h.app.State().platform.persist = [](auto done) { done(true, ""); };
  REQUIRE(h.app.Run("features-demo", {}));
  h.FramesUntil([](const nlohmann::json& s) {
    const std::string st = s["features"]["state"];
    return st == "done" || st == "failed";
  });
  const nlohmann::json panel = h.Status()["features"];
  REQUIRE(panel["state"] == "done");

  // The CLI with the demo's choices, into a store of its own.
  const std::string store = data + "/cli_store";
  const nlohmann::json created =
      Verb({"create", "--store", store, "--group", "customers", "--from-csv", customers, "--record-id", "customer_id",
            "--event-time", "event_time", "--json"});
  const nlohmann::json ingest =
      Verb({"ingest", "--store", store, "--group", "customers", "--file", customers, "--json"});
  const nlohmann::json pit = Verb({"pit", "--store", store, "--entities", orders, "--id-col", "customer_id",
                                   "--time-col", "order_time", "--groups", "customers", "--out", data + "/cli_pit.csv",
                                   "--json"});

  // Counts, summary and every reject with its reason.
  CHECK(ingest["ingested"] == panel["ingested"]);
  CHECK(ingest["rejected"] == panel["failed"]);
  CHECK(ingest["total"] == panel["total"]);
  CHECK(ingest["summary"] == panel["summary"]);
  CHECK(ingest["rejects"] == panel["rejects"]);
  CHECK(ingest["ingested"] == demo.customer_rows - demo.bad_rows);

  // The schema, and every record with every value.
  fk::features::FeatureStore& ps = *h.app.State().features.store;
  auto cs = fk::features::FeatureStore::Open(store);
  REQUIRE(cs.ok());
  const auto pg = ps.DescribeGroup("customers");
  const auto cg = (*cs)->DescribeGroup("customers");
  REQUIRE((pg.ok() && cg.ok()));
  REQUIRE(pg->features.size() == cg->features.size());
  REQUIRE(created["feature_definitions"].size() == cg->features.size());
  for (size_t i = 0; i < pg->features.size(); i++) {
    CHECK(pg->features[i].name == cg->features[i].name);
    CHECK(pg->features[i].type == cg->features[i].type);
  }
  const auto ids = ps.RecordIds("customers");
  REQUIRE(ids == (*cs)->RecordIds("customers"));
  REQUIRE(ids.size() == panel["records"].get<size_t>());
  for (auto& id : ids) {
    const auto a = ps.Get("customers", id), b = (*cs)->Get("customers", id);
    REQUIRE((a.ok() && b.ok()));
    CHECK(a->event_time == b->event_time);
    REQUIRE(a->values.size() == b->values.size());
    for (size_t k = 0; k < a->values.size(); k++) {
      INFO(id, " ", a->values[k].name);
      CHECK(a->values[k].is_null == b->values[k].is_null);
      CHECK(a->values[k].text == b->values[k].text);
    }
  }

  cs->reset();  // the CLI's next verb opens it (one process at a time: the store's lock)

  // The point-in-time set: the same rows, the same bytes.
  CHECK(pit["rows"] == panel["pit"]["rows"]);
  const std::string panel_set = Slurp(panel["pit"]["path"].get<std::string>());
  REQUIRE(!panel_set.empty());
  CHECK(panel_set == Slurp(data + "/cli_pit.csv"));
  // A set as of other times differs: the comparison above can fail.
  std::ofstream(data + "/early.csv", std::ios::binary) << "customer_id,order_time\nC0007,2000-01-01T00:00:00Z\n";
  Verb({"pit", "--store", store, "--entities", data + "/early.csv", "--id-col", "customer_id", "--time-col",
        "order_time", "--groups", "customers", "--out", data + "/early_pit.csv", "--json"});
  CHECK(Slurp(data + "/early_pit.csv").find("C0007,2000-01-01T00:00:00Z,,") != std::string::npos);
}
