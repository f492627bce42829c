#include "features/demo_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/rng.h"
#include "features/schema.h"

namespace fk::features {

namespace {
constexpr double kStart = 1709251200;  // 2024-03-01T00:00:00Z
constexpr double kDay = 86400;
const char* kCities[] = {"Seattle", "Austin", "Denver", "Boston", "Chicago", "Miami"};

struct Customer {
  int age;
  const char* city;
  bool credit;
  double rate;       // orders per day
  double mean_value; // typical order value
  double risk;       // drives chargebacks and fraud
};

std::string Iso(double t) {  // whole seconds: "2024-03-01T08:00:00Z"
  std::string s = FormatIso8601(std::floor(t));
  return s.substr(0, 19) + "Z";
}
}  // namespace

DemoData MakeDemoData(const DemoDataOptions& opt) {
  Rng rng(opt.seed);
  DemoData d;
  std::vector<Customer> cs;
  for (int i = 0; i < opt.customers; i++) {
    Customer c;
    c.age = 18 + int(rng.Below(60));
    c.city = kCities[rng.Below(6)];
    c.credit = rng.Below(3) != 0;
    c.rate = 0.05 + 0.6 * double(rng.Uniform01());
    c.mean_value = std::exp(3.2 + 0.6 * double(rng.Normal()));
    c.risk = rng.Below(12) == 0 ? 0.3 + 0.5 * double(rng.Uniform01()) : 0.02 * double(rng.Uniform01());
    cs.push_back(c);
  }
  auto id_of = [](int i) {
    char b[16];
    std::snprintf(b, sizeof b, "C%04d", i);
    return std::string(b);
  };
  std::string& s = d.customers_csv;
  s = "customer_id,event_time,age,city,card_type,orders_30d,spend_30d,avg_order_value,days_since_last_order,"
      "chargebacks_90d\n";
  char line[256];
  for (int k = 0; k < opt.snapshots; k++) {
    for (int i = 0; i < opt.customers; i++) {
      const Customer& c = cs[size_t(i)];
      // Snapshot times jitter within the day so ids do not all share one time.
      const double t = kStart + double(k) * 3 * kDay + 3600 * (6 + rng.Below(14)) + rng.Below(3600);
      const int orders = int(std::lround(c.rate * 30 * (0.6 + 0.8 * double(rng.Uniform01()))));
      double spend = 0;
      for (int o = 0; o < orders; o++) spend += c.mean_value * (0.5 + double(rng.Uniform01()));
      const int since = orders ? int(rng.Below(uint32_t(std::max(1, 30 / orders)) + 1)) : 30 + int(rng.Below(60));
      const int cb = int(c.risk * 6 * double(rng.Uniform01()) + 0.5 * double(rng.Uniform01()));
      std::snprintf(line, sizeof line, "%s,%s,%d,%s,%s,%d,%.2f,%.2f,%d,%d\n", id_of(i).c_str(), Iso(t).c_str(),
                    c.age, c.city, c.credit ? "credit" : "debit", orders, spend, orders ? spend / orders : 0.0,
                    since, cb);
      s += line;
      d.customer_rows++;
    }
    if (opt.bad_rows && k == opt.snapshots / 2) {
      // What real exports contain now and then; each is rejected alone.
      s += "C0001,2024-03-16T09:00:00Z,44,Seattle,credit,7,310.50\n";         // a truncated row
      s += ",2024-03-16T09:30:00Z,30,Austin,debit,2,80.00,40.00,5,0\n";        // no record id
      s += "C0002,16/03/2024 10:00,51,Denver,credit,3,99.90,33.30,2,0\n";      // not ISO-8601
      d.customer_rows += 3;
      d.bad_rows += 3;
    }
  }
  std::string& o = d.orders_csv;
  o = "order_id,customer_id,order_time,amount,is_fraud\n";
  for (int n = 0; n < opt.orders; n++) {
    const int i = int(rng.Below(uint32_t(opt.customers)));
    const Customer& c = cs[size_t(i)];
    const double t = kStart + 2 * kDay + double(rng.Uniform01()) * (3 * double(opt.snapshots) - 2) * kDay;
    const bool fraud = double(rng.Uniform01()) < c.risk;
    const double amount = c.mean_value * (fraud ? 2.5 + 3 * double(rng.Uniform01()) : 0.5 + double(rng.Uniform01()));
    std::snprintf(line, sizeof line, "O%05d,%s,%s,%.2f,%d\n", n, id_of(i).c_str(), Iso(t).c_str(), amount,
                  fraud ? 1 : 0);
    o += line;
    d.order_rows++;
  }
  return d;
}

}  // namespace fk::features
