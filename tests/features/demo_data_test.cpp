#include <doctest/doctest.h>

#include "features/demo_data.h"
#include "features/ingest.h"
#include "features/pit.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;

TEST_CASE("features/demo_data: seeded, infers, ingests all but its three bad rows, joins every order") {
  DemoDataOptions o;
  o.customers = 40;
  o.orders = 200;
  const DemoData d = MakeDemoData(o);
  CHECK(MakeDemoData(o).customers_csv == d.customers_csv);  // same seed, same bytes
  InferOptions io;
  io.name = "customers";
  io.record_id = "customer_id";
  io.event_time = "event_time";
  auto inf = InferSchemaFromCsvText(d.customers_csv, "customers.csv", io);
  REQUIRE(inf.ok());
  CHECK(inf->group.features[size_t(inf->group.Index("spend_30d"))].type == FeatureType::Fractional);
  CHECK(inf->group.features[size_t(inf->group.Index("orders_30d"))].type == FeatureType::Integral);
  const auto dir = ScratchDir("demo");
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s->CreateGroup(inf->group).ok());
  IngestOptions ig;
  ig.threads = 1;
  IngestJob job(*s, "customers", d.customers_csv, "customers.csv", ig);
  REQUIRE(job.Run().ok());
  CHECK(job.Ingested() == d.customer_rows - 3);
  REQUIRE(job.Rejected() == 3);
  CHECK(job.Rejects()[0].reason.find("columns") != std::string::npos);
  CHECK(job.Rejects()[1].reason.find("record id") != std::string::npos);
  CHECK(job.Rejects()[2].reason.find("ISO-8601") != std::string::npos);
  uint64_t rows = 0;
  auto csv = PointInTimeJoinCsv(*s, d.orders_csv, "orders.csv", "customer_id", "order_time", {"customers"}, {}, &rows);
  REQUIRE(csv.ok());
  CHECK(rows == 200);
  // Orders start two days after the first snapshot: every one finds a record.
  CHECK(csv->find(",,,,,,,") == std::string::npos);
}
