// The contextual-recommendation data set: items, users with personas, daily
// weather, and interactions whose context is the day's temperature band.
// Readers check every row; bad rows are skipped and counted in a LoadReport
// with "file:line: reason" messages, never a crash.
//
//   fk::recommend::Dataset ds;  fk::recommend::LoadReport rep;
//   fk::Status st = fk::recommend::LoadDataset("data/recommend", &ds, &rep);
//   if (!st) puts(st.message().c_str());  if (rep.Skipped()) puts(rep.Summary().c_str());
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fk::recommend {

// The six temperature bands of the seed (°C, daily average). Each boundary
// belongs to the warmer band, except 28, which is still "hot" (the seed says
// "more than 28" for very hot):
//   very cold (-inf, 5)  cold [5, 10)  slightly cold [10, 15)  lukewarm [15, 21)
//   hot [21, 28]  very hot (28, +inf)
enum class Band : uint8_t { VeryCold = 0, Cold, SlightlyCold, Lukewarm, Hot, VeryHot, Unknown };
constexpr int kNumBands = 6;  // Unknown excluded

Band BandFromCelsius(double c);
const char* BandName(Band b);  // "very cold", ..., "very hot", "unknown"
// Accepts the names above, with '_' for ' ' too ("very_hot"), any case.
bool ParseBand(std::string_view s, Band* out);

enum class EventType : uint8_t { View = 0, Add, Purchase };
const char* EventTypeName(EventType e);
bool ParseEventType(std::string_view s, EventType* out);

struct Item {
  std::string id;
  std::string category;  // e.g. "sparkling_water"
  std::string size;      // e.g. "500ml"
  std::string name;      // display name (optional column)
};

struct User {
  std::string id;
  std::string persona;  // e.g. "other_waters_sparkling"
};

struct WeatherDay {
  int64_t day = 0;        // days since 1970-01-01 (UTC)
  std::string location;   // e.g. "ST650"
  double avg_c = 0;       // daily average temperature
};

struct Interaction {
  uint32_t user = 0;      // index into Dataset::users
  uint32_t item = 0;      // index into Dataset::items
  int64_t ts = 0;         // UNIX seconds
  EventType event = EventType::View;
  Band band = Band::Unknown;
};

struct Dataset {
  std::vector<Item> items;
  std::vector<User> users;
  std::vector<WeatherDay> weather;          // sorted by day
  std::vector<Interaction> interactions;    // sorted by time
  std::map<std::string, uint32_t> item_index, user_index;
  // Attribute vocabularies (index = attribute id).
  std::vector<std::string> categories, sizes, personas;
  std::vector<uint32_t> item_category, item_size;  // per item
  std::vector<int32_t> user_persona;                // per user, -1 = none

  // Rebuilds indexes and attribute vocabularies from items/users.
  void Index();
  // Band of the day containing ts (UTC date), Unknown outside the weather range.
  Band BandAt(int64_t ts) const;
  int PersonaIndex(const std::string& persona) const;  // -1 when unknown
};

// What the readers skipped and why (first few messages kept).
struct LoadReport {
  size_t rows = 0;                 // data rows read (all files)
  size_t bad_rows = 0;             // malformed: wrong column count, bad number, bad event type
  size_t unknown_user = 0, unknown_item = 0;
  size_t duplicates = 0;           // repeated ids (items/users/weather days) or identical interactions
  size_t bad_temperature = 0;      // non-numeric weather temperature / unreadable DAILY_TEMPERATURE
  size_t unknown_context = 0;      // interactions outside the weather range (kept, context "unknown")
  std::vector<std::string> messages;
  size_t max_messages = 8;

  size_t Skipped() const { return bad_rows + unknown_user + unknown_item + duplicates; }
  void Note(const std::string& msg);
  std::string Summary() const;     // one line of counts
};

// Each reader appends to ds (items/users must be read before interactions).
// A missing file or a missing required column is a Status error; bad rows are
// counted in rep and skipped.
Status ReadItems(const std::string& path, Dataset* ds, LoadReport* rep);
Status ReadUsers(const std::string& path, Dataset* ds, LoadReport* rep);
Status ReadWeather(const std::string& path, Dataset* ds, LoadReport* rep);
// Context: a DAILY_TEMPERATURE cell (a band name or °C) when present, else the
// weather join on the UTC date of TIMESTAMP; Unknown outside the weather range.
Status ReadInteractions(const std::string& path, Dataset* ds, LoadReport* rep);

// The same, a few lines at a time (the page reads the file over many frames):
//   InteractionReader r(&ds, &rep);  if (!r.Open(path)) ...;  while (r.Step(5000)) show(r.Progress());
//   if (!r.Finish()) ...;  // a missing column is reported here
class InteractionReader {
 public:
  InteractionReader(Dataset* ds, LoadReport* rep);
  ~InteractionReader();
  Status Open(const std::string& path);
  bool Step(size_t max_lines);  // false once the file is read (or the header is unusable)
  float Progress() const;
  Status Finish();              // sorts by time; the header's error if there was one

 private:
  struct Impl;
  Impl* impl_;
};

// dir/items.csv, users.csv, weather_data.csv, interactions.csv.
Status LoadDataset(const std::string& dir, Dataset* ds, LoadReport* rep);

// The files of one data set. A user's own (Personalize's schemas) may come
// without weather: the context is then each interaction's DAILY_TEMPERATURE
// (a band name or degrees C), else unknown.
struct DataFiles {
  std::string items, users, interactions;
  std::string weather;  // "" = none
};
DataFiles DataFilesIn(const std::string& dir);  // the four names above under dir

// What a CSV is, from its header row (names compared without case, '_' or
// spaces): interactions have USER_ID, ITEM_ID and TIMESTAMP; users USER_ID
// without ITEM_ID; items ITEM_ID without USER_ID; weather a date and an average
// temperature. None for anything else.
enum class PersonalizeFile { None, Interactions, Users, Items, Weather };
PersonalizeFile GuessPersonalizeCsv(const std::vector<std::string>& header);
const char* PersonalizeFileName(PersonalizeFile f);  // "interactions", "users", "items", "weather", ""
Status WriteDataset(const std::string& dir, const Dataset& ds);

// Interactions per band (index = Band, kNumBands = unknown).
std::vector<size_t> CountByBand(const Dataset& ds);

}  // namespace fk::recommend
