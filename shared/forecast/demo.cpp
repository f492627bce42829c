#include "forecast/demo.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/civil.h"
#include "core/file.h"
#include "core/rng.h"
#include "forecast/dataset.h"

namespace fk::forecast {

namespace {
struct Product {
  const char* name;
  double base, trend_per_year, price;
  int start_day, end_day;  // sales only in [start, end)
};
}  // namespace

DemoFiles GenerateDemo(uint64_t seed) {
  Rng rng(seed);
  const int days = 730, future = 28;
  const int64_t day0 = DaysFromCivil(2022, 1, 1);
  const Product products[] = {
      {"bath-towel", 22, 0.15, 12.0, 0, days},   {"bed-sheet", 14, 0.05, 35.0, 0, days},
      {"duvet", 6, 0.10, 89.0, 0, days},         {"pillow", 18, 0.30, 19.0, 243, days},  // new on 2022-09-01
      {"reading-lamp", 9, -0.2, 45.0, 0, 545},   // end of life after 2023-06-29
  };
  const struct { const char* store; const char* country; double scale; } stores[] = {
      {"Store-1", "Canada", 1.0}, {"Store-2", "US", 1.6}};
  DemoFiles out;
  out.target = "timestamp,product,sales,store,country\n";
  out.related = "timestamp,product,store,price,promo\n";
  char buf[160];
  for (int d = 0; d < days + future; d++) {
    const std::string ts = FormatDate((day0 + d) * 86400, DateFormat::Date);
    int64_t y;
    int m, dd;
    CivilFromDays(day0 + d, &y, &m, &dd);
    const int dow = int((day0 + d + 3) % 7);  // 0 = Monday
    const double doy = double(d % 365) / 365.0;
    for (auto& p : products)
      for (auto& s : stores) {
        // Promotions: roughly one week in six, the same days in both stores.
        const bool promo = ((d / 7) * 7 + int(p.base)) % 6 == 0 && d % 7 < 4;
        const double price = promo ? p.price * 0.8 : p.price;
        std::snprintf(buf, sizeof buf, "%s,%s,%s,%.2f,%d\n", ts.c_str(), p.name, s.store, price, promo ? 1 : 0);
        out.related += buf;
        if (d >= days) continue;
        std::string value;
        if (d < p.start_day) continue;  // not sold yet: no rows at all
        if (d >= p.end_day) {
          value = rng.Uniform01() < 0.5 ? "" : "0";  // end of life: blanks and zeros
        } else if (rng.Uniform01() < 0.01) {
          value = "";                                 // a missing day
        } else {
          const double weekly = dow >= 5 ? 1.45 : (dow == 4 ? 1.15 : 0.9);
          const double yearly = 1 + 0.35 * std::cos(2 * M_PI * (doy - 0.95));  // peak mid-December
          const double trend = 1 + p.trend_per_year * d / 365.0;
          const double mean = p.base * s.scale * weekly * yearly * std::max(0.1, trend) * (promo ? 1.5 : 1.0);
          const double v = std::max(0.0, std::round(mean + std::sqrt(mean) * double(rng.Normal())));
          std::snprintf(buf, sizeof buf, "%g", v);
          value = buf;
        }
        out.target += ts + "," + p.name + "," + value + "," + s.store + "," + s.country + "\n";
      }
  }
  out.metadata =
      "product,category,color,size\n"
      "bath-towel,bath,white,M\n"
      "bed-sheet,bedding,white,L\n"
      "duvet,bedding,grey,L\n"
      "pillow,bedding,white,M\n"
      "reading-lamp,lighting,black,S\n"
      "throw-blanket,bedding,grey,M\n";  // no sales yet: the cold-start item
  return out;
}

Status WriteDemo(const std::string& dir, uint64_t seed) {
  if (Status st = MakeDirs(dir); !st) return st;
  const DemoFiles d = GenerateDemo(seed);
  for (auto [name, text] : {std::pair<const char*, const std::string*>{"sales.csv", &d.target},
                            {"related.csv", &d.related}, {"items.csv", &d.metadata}}) {
    const std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary);
    f << *text;
    if (!f) return Status::Error(path + ": cannot write");
  }
  return Status::Ok();
}

}  // namespace fk::forecast
