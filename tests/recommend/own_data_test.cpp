// A user's own data in Personalize's schemas: the CSVs are told apart by their
// headers, an experiment runs on the files without weather (the context from
// each interaction's DAILY_TEMPERATURE), and the hot/cold metrics say whether
// a zero is a real one (hits_at_10).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "recommend/experiment.h"

namespace fs = std::filesystem;
using namespace fk::recommend;

TEST_CASE("recommend/own: Personalize CSVs are recognised by their headers") {
  CHECK(GuessPersonalizeCsv({"USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"}) == PersonalizeFile::Interactions);
  CHECK(GuessPersonalizeCsv({"user_id", "item_id", "timestamp"}) == PersonalizeFile::Interactions);
  CHECK(GuessPersonalizeCsv({"\xEF\xBB\xBFUSER_ID", "PERSONA"}) == PersonalizeFile::Users);  // a byte-order mark
  // Only at the start of the line, as the readers take it: a users file the reader would refuse
  // ("no USER_ID column") is not guessed (fuzz: recommend_personalize/bom_inside_header.csv).
  CHECK(GuessPersonalizeCsv({"name", "\xEF\xBB\xBFUSER_ID"}) == PersonalizeFile::None);
  CHECK(GuessPersonalizeCsv({"ITEM_ID", "CATEGORY", "SIZE"}) == PersonalizeFile::Items);
  CHECK(GuessPersonalizeCsv({"date", "location_id", "avg_temp_c"}) == PersonalizeFile::Weather);
  CHECK(GuessPersonalizeCsv({"USER_ID", "ITEM_ID"}) == PersonalizeFile::None);  // no TIMESTAMP: not interactions
  CHECK(GuessPersonalizeCsv({"date", "product", "sales"}) == PersonalizeFile::None);
  CHECK(std::string(PersonalizeFileName(PersonalizeFile::Items)) == "items");
}

TEST_CASE("recommend/own: an experiment trains on a user's files without weather, context from DAILY_TEMPERATURE") {
  const fs::path dir = fs::temp_directory_path() / ("fk_own_reco_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // 40 users x 6 items: users 0-19 like items A/B on hot days, C/D on cold days; E/F are noise.
  {
    std::ofstream items(dir / "my_items.csv"), users(dir / "my_users.csv"), inter(dir / "my_interactions.csv");
    items << "ITEM_ID,CATEGORY\nA,cold_drink\nB,cold_drink\nC,hot_drink\nD,hot_drink\nE,snack\nF,snack\n";
    users << "USER_ID\n";
    inter << "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DAILY_TEMPERATURE\n";
    long ts = 1585000000;
    for (int u = 0; u < 40; u++) {
      users << "u" << u << "\n";
      for (int k = 0; k < 12; k++) {
        const bool hot = k % 2 == 0;
        const char* item = hot ? (k % 4 == 0 ? "A" : "B") : (k % 4 == 1 ? "C" : "D");
        if (k == 11) item = u % 2 ? "E" : "F";
        inter << "u" << u << "," << item << "," << (ts += 600) << ",purchase," << (hot ? "30" : "cold") << "\n";
      }
    }
  }
  ExperimentOptions o;
  o.files = {(dir / "my_items.csv").string(), (dir / "my_users.csv").string(), (dir / "my_interactions.csv").string(),
             ""};
  o.models = {RankerKind::Popularity, RankerKind::FmContext};
  o.ranker.epochs = 3;
  o.split.test_users = 0.5;
  Experiment e(o);
  e.RunToEnd();
  REQUIRE_MESSAGE(e.finished(), e.error());
  const ExperimentData& d = e.data();
  CHECK(d.ds->items.size() == 6);
  CHECK(d.ds->users.size() == 40);
  CHECK(d.ds->interactions.size() == 480);
  CHECK(d.ds->weather.empty());
  CHECK(d.band_counts[size_t(Band::VeryHot)] == 240);  // "30" C
  CHECK(d.band_counts[size_t(Band::Cold)] == 240);     // the band's name
  CHECK(d.band_counts[kNumBands] == 0);                // no unknown context
  for (const ModelResult& r : d.results) {
    CHECK(r.all.queries > 0);
    CHECK(r.all.hits_at_10 <= r.all.queries);
    CHECK(r.hot.queries + r.cold.queries <= r.all.queries);
    CHECK(r.all.ToJson()["hits_at_10"] == r.all.hits_at_10);
    // Six items: a top 10 holds them all, so every query hits.
    CHECK(r.all.hits_at_10 == r.all.queries);
  }
  CHECK(e.Detail().find("my_") == std::string::npos);  // done: no file named any more
  // Users are required with the interactions: the error says which file is missing.
  ExperimentOptions bad = o;
  bad.files.users.clear();
  Experiment b(bad);
  CHECK(b.failed());
  CHECK(b.error().find("users file is required") != std::string::npos);
  fs::remove_all(dir);
}
