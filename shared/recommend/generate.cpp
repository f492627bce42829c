#include "recommend/generate.h"

#include <algorithm>
#include <cmath>

#include "core/civil.h"
#include "core/rng.h"

namespace fk::recommend {

namespace {

struct CategorySpec {
  const char* name;
  double warmth;  // +1 served hot .. -1 most refreshing
  std::vector<const char*> products;
};

const std::vector<CategorySpec>& Categories() {
  static const std::vector<CategorySpec> k = {
      {"tea", 1.0, {"Black tea", "Green tea", "Chamomile tea", "Earl Grey"}},
      {"coffee", 1.0, {"Espresso", "Latte", "Cappuccino", "Americano"}},
      {"hot_chocolate", 0.9, {"Hot chocolate", "Mocha"}},
      {"iced_tea", -1.0, {"Lemon iced tea", "Peach iced tea"}},
      {"sparkling_water", -0.9, {"Sparkling water", "Lime sparkling water", "Mineral sparkling water"}},
      {"other_waters", -0.6, {"Still water", "Coconut water", "Flavoured water"}},
      {"soft_drinks", -0.9, {"Cola", "Lemon soda", "Ginger ale", "Orange soda"}},
      {"juice", -0.4, {"Orange juice", "Apple juice", "Mango nectar"}},
      {"energy_drinks", -0.2, {"Energy drink", "Sugar-free energy drink"}},
      {"sports_drinks", -0.7, {"Isotonic lemon", "Isotonic berry"}},
  };
  return k;
}

struct SizeSpec {
  const char* name;
  double bigness;  // -1 small .. +1 big
};
const SizeSpec kHotSizes[] = {{"250ml", -1.0}, {"350ml", -0.5}, {"500ml", 0.0}};
const SizeSpec kColdSizes[] = {{"350ml", -0.5}, {"500ml", 0.0}, {"1l", 0.5}, {"1.5l", 1.0}};

struct PersonaSpec {
  const char* name;
  std::vector<std::pair<const char*, double>> weights;  // category -> share
};

const std::vector<PersonaSpec>& Personas() {
  static const std::vector<PersonaSpec> k = {
      {"other_waters_sparkling", {{"other_waters", .45}, {"sparkling_water", .40}, {"tea", .15}}},
      {"tea_coffee", {{"tea", .45}, {"coffee", .35}, {"iced_tea", .20}}},
      {"coffee_energy", {{"coffee", .50}, {"energy_drinks", .35}, {"soft_drinks", .15}}},
      {"soft_drinks_juice", {{"soft_drinks", .45}, {"juice", .35}, {"hot_chocolate", .20}}},
      {"juice_other_waters", {{"juice", .45}, {"other_waters", .35}, {"tea", .20}}},
      {"sports_sparkling", {{"sports_drinks", .45}, {"sparkling_water", .35}, {"coffee", .20}}},
      {"iced_tea_hot_chocolate", {{"iced_tea", .45}, {"hot_chocolate", .35}, {"juice", .20}}},
      {"energy_sports", {{"energy_drinks", .45}, {"sports_drinks", .35}, {"coffee", .20}}},
  };
  return k;
}

int Poisson(Rng& rng, double lambda) {
  const double l = std::exp(-lambda);
  int k = 0;
  double p = 1;
  do {
    k++;
    p *= rng.Uniform01();
  } while (p > l && k < 1000);
  return k - 1;
}

size_t Pick(Rng& rng, const std::vector<double>& w) {
  double total = 0;
  for (double x : w) total += x;
  double r = rng.Uniform01() * total;
  for (size_t i = 0; i < w.size(); i++) {
    if (r < w[i]) return i;
    r -= w[i];
  }
  return w.size() - 1;
}

// The catalogue as the simulation sees it: per item its popularity, bigness
// and category; per category its items.
struct Catalog {
  std::vector<double> item_pop, item_bigness;
  std::vector<size_t> item_cat;
  std::vector<std::vector<size_t>> items_of_cat;
};

// Catalog: every product in the sizes its kind is sold in.
Catalog AddCatalog(Rng& rng, Dataset& ds) {
  const auto& cats = Categories();
  Catalog cat;
  for (size_t c = 0; c < cats.size(); c++) {
    const bool hot = cats[c].warmth > 0.5;
    for (const char* product : cats[c].products) {
      const double product_pop = std::exp(0.7 * rng.Normal());
      const size_t n = hot ? 3 : 4;
      for (size_t s = 0; s < n; s++) {
        const SizeSpec& sz = hot ? kHotSizes[s] : kColdSizes[s];
        Item it;
        it.id = std::to_string(ds.items.size() + 1);
        it.category = cats[c].name;
        it.size = sz.name;
        it.name = std::string(product) + " " + sz.name;
        ds.items.push_back(it);
        cat.item_pop.push_back(product_pop * std::exp(0.4 * rng.Normal()));
        cat.item_bigness.push_back(sz.bigness);
        cat.item_cat.push_back(c);
      }
    }
  }
  cat.items_of_cat.resize(cats.size());
  for (size_t i = 0; i < ds.items.size(); i++) cat.items_of_cat[cat.item_cat[i]].push_back(i);
  return cat;
}

// Weather: Santiago de Chile cooling from ~21 °C in late March to ~9 °C in
// late June, with day-to-day swings that persist (AR(1)).
void AddWeather(Rng& rng, const GenerateOptions& opt, int64_t day0, Dataset& ds) {
  double anomaly = 0;
  for (int d = 0; d < opt.days; d++) {
    anomaly = 0.75 * anomaly + 3.0 * rng.Normal();
    const double mean = 22.5 - 13.5 * d / std::max(1, opt.days - 1);
    ds.weather.push_back({day0 + d, "ST650", std::round((mean + anomaly) * 10) / 10});
  }
}

size_t CategoryIndex(const char* name) {
  const auto& cats = Categories();
  for (size_t c = 0; c < cats.size(); c++)
    if (std::string(cats[c].name) == name) return c;
  return size_t(0);
}

struct UserPlan {
  size_t persona;
  double rate;
  int first_day, last_day;  // customers come and go: each is active for a while
  std::vector<size_t> favourites;
};

// Users: a persona each, a personal activity rate and four favourite items
// from the persona's categories.
std::vector<UserPlan> AddUsers(Rng& rng, const GenerateOptions& opt, const Catalog& cat, Dataset& ds) {
  const auto& personas = Personas();
  std::vector<UserPlan> plans;
  for (int u = 0; u < opt.users; u++) {
    UserPlan p;
    p.persona = rng.Below(uint32_t(personas.size()));
    p.rate = opt.sessions_per_user * std::exp(0.6 * rng.Normal() - 0.18);
    const double stay = -25.0 * std::log(1.0 - double(rng.Uniform01()));  // exponential, mean 25 days
    const int span = std::min(opt.days, 10 + int(stay));
    p.first_day = int(rng.Below(uint32_t(opt.days - span + 1)));
    p.last_day = p.first_day + span - 1;
    for (int f = 0; f < 4; f++) {
      std::vector<double> cw;
      for (auto& [name, w] : personas[p.persona].weights) cw.push_back(w);
      const size_t c = CategoryIndex(personas[p.persona].weights[Pick(rng, cw)].first);
      std::vector<double> iw;
      for (size_t i : cat.items_of_cat[c]) iw.push_back(cat.item_pop[i]);
      p.favourites.push_back(cat.items_of_cat[c][Pick(rng, iw)]);
    }
    ds.users.push_back({std::to_string(u + 1), personas[p.persona].name});
    plans.push_back(std::move(p));
  }
  return plans;
}

// The item a user views at heat h (-2.5 cold .. 2.5 hot): a category of the
// persona, tilted by warmth, then an item tilted by popularity, favourites and size.
size_t PickViewedItem(Rng& rng, const GenerateOptions& opt, const Catalog& cat, const UserPlan& p, double h) {
  const auto& cats = Categories();
  std::vector<double> cw;
  std::vector<size_t> cs;
  for (auto& [name, w] : Personas()[p.persona].weights) {
    const size_t c = CategoryIndex(name);
    cs.push_back(c);
    cw.push_back(w * std::exp(-opt.temp_effect * cats[c].warmth * h));
  }
  const size_t c = cs[Pick(rng, cw)];
  std::vector<double> iw;
  for (size_t i : cat.items_of_cat[c]) {
    const bool fav = std::find(p.favourites.begin(), p.favourites.end(), i) != p.favourites.end();
    iw.push_back(cat.item_pop[i] * (fav ? 5.0 : 1.0) * std::exp(opt.size_effect * cat.item_bigness[i] * h));
  }
  return cat.items_of_cat[c][Pick(rng, iw)];
}

// Sessions: on a random day, a few views; some become adds, some purchases.
void AddSessions(Rng& rng, const GenerateOptions& opt, const Catalog& cat, const std::vector<UserPlan>& plans,
                 int64_t day0, Dataset& ds) {
  for (int u = 0; u < opt.users; u++) {
    const UserPlan& p = plans[size_t(u)];
    const int sessions = std::max(1, Poisson(rng, p.rate));
    for (int s = 0; s < sessions; s++) {
      const int d = p.first_day + int(rng.Below(uint32_t(p.last_day - p.first_day + 1)));
      const double temp = ds.weather[size_t(d)].avg_c;
      const double h = std::clamp((temp - 16.0) / 5.0, -2.5, 2.5);
      const Band band = BandFromCelsius(temp);
      int64_t ts = (day0 + d) * 86400 + 10 * 3600 + int64_t(rng.Below(12 * 3600));
      const int views = 1 + Poisson(rng, 1.2);
      for (int v = 0; v < views; v++) {
        const size_t item = PickViewedItem(rng, opt, cat, p, h);
        auto emit = [&](EventType e) {
          ds.interactions.push_back({uint32_t(u), uint32_t(item), ts, e, band});
          ts += 20 + int64_t(rng.Below(100));
        };
        emit(EventType::View);
        if (rng.Uniform01() < 0.35f) {
          emit(EventType::Add);
          if (rng.Uniform01() < 0.6f) emit(EventType::Purchase);
        }
      }
    }
  }
}

}  // namespace

// One seeded stream of random numbers drives every step, in this order.
Dataset Generate(const GenerateOptions& opt) {
  Rng rng(opt.seed);
  Dataset ds;
  const Catalog cat = AddCatalog(rng, ds);
  const int64_t day0 = DaysFromCivil(2020, 3, 25);
  AddWeather(rng, opt, day0, ds);
  const std::vector<UserPlan> plans = AddUsers(rng, opt, cat, ds);
  ds.Index();
  AddSessions(rng, opt, cat, plans, day0, ds);
  std::stable_sort(ds.interactions.begin(), ds.interactions.end(),
                   [](const Interaction& a, const Interaction& b) { return a.ts < b.ts; });
  return ds;
}

}  // namespace fk::recommend
