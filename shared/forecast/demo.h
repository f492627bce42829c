// A seeded retail demo for the Forecasts panel and the CLI: two years of daily
// sales of a few home-goods products in two stores (Canada, US) with weekly and
// yearly rhythm, promotions (related series: price, promo), one new product,
// one end-of-life product, a few blank days, and item metadata including a
// product without history (the cold-start case).
//
//   fk::forecast::DemoFiles d = fk::forecast::GenerateDemo(7);
//   fk::forecast::WriteDemo("data/forecast", 7);   // sales.csv, related.csv, items.csv
#pragma once
#include <cstdint>
#include <string>

#include "core/status.h"

namespace fk::forecast {

struct DemoFiles {
  std::string target;    // timestamp,product,sales,store,country
  std::string related;   // timestamp,product,store,price,promo (history + 28 future days)
  std::string metadata;  // product,category,color,size
};
DemoFiles GenerateDemo(uint64_t seed);
Status WriteDemo(const std::string& dir, uint64_t seed);

}  // namespace fk::forecast
