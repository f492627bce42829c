// Seeded demo data for the Feature Store (bundled in data/features/ and made by
// `fieldkit-cli features demo-data --out data/features`): the customer/order
// shape of the SageMaker Feature Store fraud example. customers.csv holds a
// feature snapshot per customer every three days (so a point-in-time join has
// history to choose from) plus three deliberately bad rows that ingest must
// reject with reasons; orders.csv is the entity table for a training set
// (order id, customer id, order time, fraud label).
//
//   auto d = fk::features::MakeDemoData();   // d.customers_csv, d.orders_csv
#pragma once
#include <cstdint>
#include <string>

namespace fk::features {

struct DemoDataOptions {
  uint64_t seed = 7;
  int customers = 400;
  int snapshots = 10;  // one every 3 days from 2024-03-01
  int orders = 1500;
  bool bad_rows = true;  // a ragged row, a missing id, an event time in the wrong format
};

struct DemoData {
  std::string customers_csv;  // customer_id,event_time,... (record id customer_id, event time event_time)
  std::string orders_csv;     // order_id,customer_id,order_time,amount,is_fraud
  uint64_t customer_rows = 0, bad_rows = 0, order_rows = 0;
};

DemoData MakeDemoData(const DemoDataOptions& opt = {});

}  // namespace fk::features
