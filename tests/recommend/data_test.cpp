#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "recommend/data.h"
#include "recommend/generate.h"

using namespace fk::recommend;

namespace {
std::string TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("fk_rec_") + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}
void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A tiny valid set: 3 items, 2 users, weather for 2020-03-25 (22 C) and 2020-03-26 (4 C).
std::string TinySet(const char* name, const std::string& interactions) {
  const std::string d = TempDir(name);
  Write(d + "/items.csv", "ITEM_ID,CATEGORY,SIZE\n1,tea,250ml\n2,juice,1l\n3,coffee,350ml\n");
  Write(d + "/users.csv", "USER_ID,PERSONA\n10,tea_coffee\n11,juice_other_waters\n");
  Write(d + "/weather_data.csv", "date,location_id,avg_temp_c\n2020-03-25,ST650,22.0\n2020-03-26,ST650,4\n");
  Write(d + "/interactions.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + interactions);
  return d;
}
constexpr int64_t kMar25 = 1585094400;  // 2020-03-25 00:00 UTC
}  // namespace

TEST_CASE("recommend/data: each band boundary belongs to the warmer band, except 28 which is still hot") {
  CHECK(BandFromCelsius(4.99) == Band::VeryCold);
  CHECK(BandFromCelsius(5.0) == Band::Cold);
  CHECK(BandFromCelsius(9.99) == Band::Cold);
  CHECK(BandFromCelsius(10.0) == Band::SlightlyCold);
  CHECK(BandFromCelsius(15.0) == Band::Lukewarm);
  CHECK(BandFromCelsius(20.99) == Band::Lukewarm);
  CHECK(BandFromCelsius(21.0) == Band::Hot);
  CHECK(BandFromCelsius(28.0) == Band::Hot);
  CHECK(BandFromCelsius(28.01) == Band::VeryHot);
  CHECK(BandFromCelsius(-20) == Band::VeryCold);
  Band b;
  CHECK((ParseBand("Very_Hot", &b) && b == Band::VeryHot));
  CHECK((ParseBand("slightly cold", &b) && b == Band::SlightlyCold));
  CHECK_FALSE(ParseBand("warm", &b));
}

TEST_CASE("recommend/data: interactions join the weather by UTC date; outside the range the context is unknown") {
  const std::string d = TinySet("join", "10,1," + std::to_string(kMar25 + 3600) + ",view\n" +  //
                                            "10,3," + std::to_string(kMar25 + 86400 + 60) + ",purchase\n" +
                                            "11,2," + std::to_string(kMar25 + 5 * 86400) + ",add\n");
  Dataset ds;
  LoadReport rep;
  REQUIRE(LoadDataset(d, &ds, &rep));
  REQUIRE(ds.interactions.size() == 3);
  CHECK(ds.interactions[0].band == Band::Hot);
  CHECK(ds.interactions[1].band == Band::VeryCold);
  CHECK(ds.interactions[1].event == EventType::Purchase);
  CHECK(ds.interactions[2].band == Band::Unknown);
  CHECK(rep.unknown_context == 1);
  CHECK(rep.Skipped() == 0);
}

TEST_CASE("recommend/data: bad rows are skipped and counted with file:line messages, nothing throws") {
  const std::string t = std::to_string(kMar25 + 100);
  const std::string d = TinySet("bad", "10,1," + t + ",view\n" +   // ok
                                           "99,1," + t + ",view\n" +   // unknown user
                                           "10,77," + t + ",view\n" +  // unknown item
                                           "10,1," + t + ",view\n" +   // duplicate
                                           "10,2,yesterday,view\n" +   // bad timestamp
                                           "10,2," + t + ",like\n" +   // bad event type
                                           "10,2\n");                  // short row
  // A non-numeric and a repeated weather row.
  Write(d + "/weather_data.csv",
        "date,location_id,avg_temp_c\n2020-03-25,ST650,22.0\n2020-03-26,ST650,warm\n2020-03-25,ST650,30\n");
  Dataset ds;
  LoadReport rep;
  REQUIRE(LoadDataset(d, &ds, &rep));
  CHECK(ds.interactions.size() == 1);
  CHECK(rep.unknown_user == 1);
  CHECK(rep.unknown_item == 1);
  CHECK(rep.duplicates == 2);  // one interaction, one weather date
  CHECK(rep.bad_rows == 3);
  CHECK(rep.bad_temperature == 1);
  CHECK(ds.weather.size() == 1);
  CHECK(ds.weather[0].avg_c == 22.0);  // the first row of a repeated date is kept
  bool named = false;
  for (auto& m : rep.messages) named = named || m.find("interactions.csv:3: USER_ID '99'") != std::string::npos;
  CHECK(named);
  CHECK(rep.Summary().find("unknown user 1") != std::string::npos);
}

TEST_CASE("recommend/data: a missing file or required column is an error naming it") {
  const std::string d = TinySet("missing", "");
  Write(d + "/items.csv", "SKU,CATEGORY\n1,tea\n");
  Dataset ds;
  LoadReport rep;
  fk::Status st = LoadDataset(d, &ds, &rep);
  CHECK_FALSE(st);
  CHECK(st.message().find("items.csv:1: no ITEM_ID column") != std::string::npos);
  st = LoadDataset(d + "/nope", &ds, &rep);
  CHECK(st.message().find("cannot open") != std::string::npos);
}

TEST_CASE("recommend/generate: same seed, same data; written and read back unchanged; hot days favour cold drinks") {
  GenerateOptions o;
  o.users = 300;
  const Dataset a = Generate(o), b = Generate(o);
  REQUIRE(a.interactions.size() == b.interactions.size());
  CHECK(a.interactions[100].ts == b.interactions[100].ts);
  CHECK(a.items.size() >= 90);
  CHECK(a.weather.size() == 92);
  const std::string d = TempDir("gen");
  REQUIRE(WriteDataset(d, a));
  Dataset r;
  LoadReport rep;
  REQUIRE(LoadDataset(d, &r, &rep));
  CHECK(rep.Skipped() == 0);
  CHECK(rep.bad_temperature == 0);
  REQUIRE(r.interactions.size() == a.interactions.size());
  for (size_t i = 0; i < r.interactions.size(); i += 97) {
    CHECK(r.interactions[i].band == a.interactions[i].band);
    CHECK(r.interactions[i].band == r.BandAt(r.interactions[i].ts));  // the stored band is the weather's
  }
  // The planted effect: hot drinks' share on cold days well above hot days.
  auto hot_share = [&](bool cold_days) {
    double n = 0, hot = 0;
    for (auto& x : a.interactions) {
      if (cold_days ? !(x.band == Band::Cold || x.band == Band::VeryCold) : x.band != Band::Hot) continue;
      const std::string& c = a.items[x.item].category;
      n++;
      hot += c == "coffee" || c == "tea" || c == "hot_chocolate";
    }
    return hot / n;
  };
  CHECK(hot_share(true) > 2 * hot_share(false));
}
