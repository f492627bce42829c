// Forecast types as the panel's field and `forecast fit --quantiles` read
// them: up to 5 quantiles in 0.01..0.99 plus mean, sorted, errors naming the entry.
#include <doctest/doctest.h>

#include "forecast/accuracy.h"

using fk::forecast::ForecastTypesName;
using fk::forecast::ParseForecastTypes;

TEST_CASE("forecast/types: quantiles and mean parse, sorted without repeats") {
  std::vector<double> q;
  bool mean = false;
  std::string err;
  REQUIRE(ParseForecastTypes("0.9, p10, 50%, mean, 0.5", &q, &mean, &err));
  CHECK(q == std::vector<double>{0.1, 0.5, 0.9});
  CHECK(mean);
  CHECK(ForecastTypesName(q, mean) == "0.1,0.5,0.9,mean");
  REQUIRE(ParseForecastTypes("0.05,0.25,0.5,0.75,0.95", &q, &mean, &err));
  CHECK(q.size() == 5);
  CHECK_FALSE(mean);
  CHECK(ForecastTypesName(q, mean) == "0.05,0.25,0.5,0.75,0.95");
}

TEST_CASE("forecast/types: bad entries, six quantiles and mean alone are refused with the reason") {
  std::vector<double> q = {0.3};
  bool mean = false;
  std::string err;
  CHECK_FALSE(ParseForecastTypes("0.1,1.5", &q, &mean, &err));
  CHECK(err == "'1.5' is not a quantile in 0.01..0.99 (or mean)");
  CHECK_FALSE(ParseForecastTypes("0.1,median", &q, &mean, &err));
  CHECK(err.find("'median'") == 0);
  CHECK_FALSE(ParseForecastTypes("0.1,0.2,0.3,0.4,0.5,0.6,mean", &q, &mean, &err));
  CHECK(err.find("at most 5 quantiles (got 6)") == 0);
  CHECK_FALSE(ParseForecastTypes("mean", &q, &mean, &err));
  CHECK(err.find("at least one quantile") != std::string::npos);
  CHECK(q == std::vector<double>{0.3});  // untouched on error
}
