// Recommendations inputs: the Personalize-style CSVs (items, users, weather,
// interactions: four parts of one input, kPartSeparator between them) through
// LoadDataset and, as the page reads interactions, InteractionReader in
// slices; MovieLens ratings (train and test parts) through LoadMovieLensSplit;
// one dropped Personalize CSV as the page takes it (RecommendPersonalize).
#include <nlohmann/json.hpp>

#include "../fuzz_target.h"
#include "core/csv.h"
#include "core/json_write.h"
#include "recommend/data.h"
#include "recommend/experiment.h"
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

// [SECTION] a dropped Personalize CSV: told apart by its header, then read in its slot

namespace fk::fuzz {

// What the page does with one dropped CSV (ui/files.cpp Sniff, panel_recommend.cpp
// ImportRecommendFile): the first line of its first 4 KB names the kind
// (GuessPersonalizeCsv); the file then takes that slot beside small fixed
// files for the other ones, and the panel's load-only run reads them all.
Outcome RecommendPersonalize(const uint8_t* data, size_t size) {
  Outcome o;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string head(bytes.substr(0, 4096));
  if (const size_t nl = head.find('\n'); nl != std::string::npos) head.resize(nl);
  if (!head.empty() && head.back() == '\r') head.pop_back();
  const recommend::PersonalizeFile kind = recommend::GuessPersonalizeCsv(SplitCsvLine(head));
  if (kind == recommend::PersonalizeFile::None) {
    o.message = "not a Personalize CSV (header: " + head.substr(0, 80) + ")";
    return o;
  }
  RemoveScratch("own");
  const std::string mine = WriteScratchFile(std::string("own/mine_") + recommend::PersonalizeFileName(kind) + ".csv", bytes);
  recommend::DataFiles files;
  files.items = WriteScratchFile("own/items.csv", "ITEM_ID,CATEGORY\n1,tea\n2,water\n3,soup\n");
  files.users = WriteScratchFile("own/users.csv", "USER_ID,PERSONA\n10,tea_lover\n11,\n");
  files.interactions = WriteScratchFile("own/interactions.csv",
                                        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n10,1,1585132098,view\n"
                                        "11,2,1585132099,purchase\n10,3,1585132100,add\n");
  const char* key = "";  // the column the guess rests on, which the reader must find too
  switch (kind) {
    case recommend::PersonalizeFile::Interactions: files.interactions = mine, key = "no USER_ID column"; break;
    case recommend::PersonalizeFile::Users: files.users = mine, key = "no USER_ID column"; break;
    case recommend::PersonalizeFile::Items: files.items = mine, key = "no ITEM_ID column"; break;
    case recommend::PersonalizeFile::Weather: files.weather = mine, key = "no date column"; break;
    case recommend::PersonalizeFile::None: break;
  }
  recommend::ExperimentOptions eo;
  eo.files = files;
  eo.read_lines = 7;
  recommend::Experiment ex(eo);
  while (!ex.Step(1.0)) {
  }
  const std::string status = DumpJson(ex.StatusJson());  // the panel's status()
  o.Check(nlohmann::json::accept(status), "status JSON does not read back");
  if (ex.failed()) {
    o.message = ex.error();
    o.Check(ex.error().find(key) == std::string::npos || ex.error().find(mine) == std::string::npos,
            std::string("guessed ") + recommend::PersonalizeFileName(kind) + " but its reader finds no key column: " +
                ex.error());
    o.Check(kind != recommend::PersonalizeFile::Interactions ||
                (ex.error().find("no ITEM_ID column") == std::string::npos &&
                 ex.error().find("no TIMESTAMP column") == std::string::npos) ||
                ex.error().find(mine) == std::string::npos,
            "guessed interactions but the reader finds no ITEM_ID or TIMESTAMP column: " + ex.error());
    return o;
  }
  o.Check(ex.loaded(), "done without a data set");
  if (!ex.loaded()) return o;
  const recommend::Dataset& ds = *ex.data().ds;
  for (const recommend::Interaction& x : ds.interactions) {
    o.Check(x.user < ds.users.size() && x.item < ds.items.size(), "an interaction names an unknown user or item");
    if (!o.broken.empty()) return o;
  }
  size_t total = 0;
  for (size_t n : ex.data().band_counts) total += n;
  o.Check(total == ds.interactions.size(), "the band counts do not count every interaction");
  o.ok = ex.data().report.Skipped() == 0;
  if (!o.ok) o.message = ex.data().report.messages.empty() ? ex.data().report.Summary() : ex.data().report.messages.front();
  return o;
}

}  // namespace fk::fuzz
