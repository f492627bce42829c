// A seeded demo data set in the spirit of the Personalize weather post: a
// bottler's beverage catalog, users with personas, ~3 months of daily weather
// for one city (Santiago de Chile, autumn into winter, from 2020-03-25) and
// sessions of view/add/purchase events sampled by persona (customers come and
// go: each is active for 10 + Exp(mean 25) days at a random time), with a planted
// temperature effect:
//
//   heat h = clamp((T - 16) / 5, -2.5, 2.5)  (T = the day's average °C)
//   P(category | persona, T)  ∝ persona weight × exp(-temp_effect × warmth(category) × h)
//   P(item | category, user, T) ∝ popularity × (5 if a favourite) × exp(size_effect × bigness(size) × h)
//
// warmth is +1 for hot drinks (coffee, tea, hot chocolate), -1 for the most
// refreshing ones (iced tea, sparkling water, soft drinks), in between for the
// rest; bigness is -1 (small) .. +1 (1.5 l). So a hot day shifts a persona's
// choices to cold drinks and big bottles, a cold day to hot drinks.
//
//   fk::recommend::Dataset ds = fk::recommend::Generate({});  WriteDataset("data/recommend", ds);
#pragma once
#include <cstdint>

#include "recommend/data.h"

namespace fk::recommend {

struct GenerateOptions {
  uint64_t seed = 7;
  int users = 1000;
  int days = 92;                 // 2020-03-25 .. 2020-06-24
  double sessions_per_user = 9;  // mean over the period (each user has their own rate)
  double temp_effect = 1.1;      // log-odds per unit heat per unit warmth (0 = no context effect)
  double size_effect = 0.6;
};

Dataset Generate(const GenerateOptions& opt);

}  // namespace fk::recommend
