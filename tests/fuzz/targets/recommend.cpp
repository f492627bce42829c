// Recommendations inputs: the Personalize-style CSVs (items, users, weather,
// interactions: four parts of one input, kPartSeparator between them) through
// LoadDataset and, as the page reads interactions, InteractionReader in
// slices; MovieLens ratings (train and test parts) through LoadMovieLensSplit.
#include "../fuzz_target.h"
#include "recommend/data.h"
#include "recommend/movielens.h"

namespace fk::fuzz {

Outcome RecommendData(const uint8_t* data, size_t size) {
  Outcome o;
  const auto parts = SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 4);
  RemoveScratch("recommend");
  const char* names[4] = {"items.csv", "users.csv", "weather_data.csv", "interactions.csv"};
  for (size_t i = 0; i < 4; i++) WriteScratchFile(std::string("recommend/") + names[i], parts[i]);
  const std::string dir = ScratchDir() + "/recommend";
  recommend::Dataset ds;
  recommend::LoadReport rep;
  Status st = recommend::LoadDataset(dir, &ds, &rep);

  // The page: the three small files whole, the interactions in slices.
  recommend::Dataset sliced;
  recommend::LoadReport srep;
  Status sst = recommend::ReadItems(dir + "/items.csv", &sliced, &srep);
  if (sst) sst = recommend::ReadUsers(dir + "/users.csv", &sliced, &srep);
  if (sst) sst = recommend::ReadWeather(dir + "/weather_data.csv", &sliced, &srep);
  if (sst) {
    recommend::InteractionReader reader(&sliced, &srep);
    sst = reader.Open(dir + "/interactions.csv");
    if (sst) {
      while (reader.Step(3)) {
      }
      sst = reader.Finish();
    }
  }
  if (sst) {
    bool same = sliced.interactions.size() == ds.interactions.size();
    for (size_t i = 0; same && i < ds.interactions.size(); i++) {
      const recommend::Interaction &a = ds.interactions[i], &b = sliced.interactions[i];
      same = a.user == b.user && a.item == b.item && a.ts == b.ts && a.event == b.event && a.band == b.band;
    }
    o.Check(same, "InteractionReader in slices gives other interactions than ReadInteractions");
  }
  o.Check(rep.Summary() == srep.Summary() || !st || !sst, "sliced read gives another report: " + srep.Summary());
  if (!st) {
    o.Set(st);
    return o;
  }
  for (size_t i = 0; i < ds.interactions.size(); i++) {
    const recommend::Interaction& x = ds.interactions[i];
    o.Check(x.user < ds.users.size() && x.item < ds.items.size(), "an interaction names an unknown user or item");
    o.Check(i == 0 || ds.interactions[i - 1].ts <= x.ts, "interactions are not sorted by time");
    if (!o.broken.empty()) return o;
  }
  o.Check(ds.item_category.size() == ds.items.size() && ds.user_persona.size() == ds.users.size(),
          "attribute indexes do not match items/users");
  const auto bands = recommend::CountByBand(ds);
  size_t total = 0;
  for (size_t n : bands) total += n;
  o.Check(total == ds.interactions.size(), "CountByBand does not count every interaction");
  o.ok = rep.Skipped() == 0;
  if (!o.ok) o.message = rep.messages.empty() ? rep.Summary() : rep.messages.front();
  return o;
}

Outcome RecommendMovielens(const uint8_t* data, size_t size) {
  Outcome o;
  const auto parts = SplitParts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  const std::string train = WriteScratchFile("ml/ua.base", parts[0]);
  const std::string test = WriteScratchFile("ml/ua.test", parts[1]);
  recommend::MovieLensSplit s;
  Status st = recommend::LoadMovieLensSplit(train, test, &s);
  if (!st) {
    o.Set(st);
    return o;
  }
  for (const recommend::Interaction& x : s.train)
    o.Check(x.user < s.ds.users.size() && x.item < s.ds.items.size(), "a training rating names an unknown id");
  for (const recommend::TestQuery& q : s.test) {
    o.Check(q.user < s.ds.users.size(), "a test query names an unknown user");
    for (uint32_t i : q.relevant) o.Check(i < s.ds.items.size(), "a test query names an unknown item");
  }
  o.ok = s.bad_lines == 0;
  if (!o.ok) o.message = s.first_error;
  return o;
}

}  // namespace fk::fuzz
