// [SECTION] bands and event types
// [SECTION] Dataset
// [SECTION] readers (a header-driven CSV table, then one reader per file)
// [SECTION] writer
#include "recommend/data.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <tuple>

#include "core/civil.h"
#include "core/csv.h"
#include "core/file.h"
#include "core/strings.h"

namespace fk::recommend {

// [SECTION] bands and event types

Band BandFromCelsius(double c) {
  if (c < 5) return Band::VeryCold;
  if (c < 10) return Band::Cold;
  if (c < 15) return Band::SlightlyCold;
  if (c < 21) return Band::Lukewarm;
  if (c <= 28) return Band::Hot;
  return Band::VeryHot;
}

static const char* const kBandNames[] = {"very cold", "cold", "slightly cold", "lukewarm", "hot", "very hot",
                                         "unknown"};

const char* BandName(Band b) { return kBandNames[int(b)]; }

static std::string Normalised(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out;
  for (char c : s) out += c == '_' || c == '-' ? ' ' : char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ParseBand(std::string_view s, Band* out) {
  const std::string n = Normalised(s);
  for (int b = 0; b <= kNumBands; b++)
    if (n == kBandNames[b]) return *out = Band(b), true;
  return false;
}

const char* EventTypeName(EventType e) {
  static const char* const kNames[] = {"view", "add", "purchase"};
  return kNames[int(e)];
}

bool ParseEventType(std::string_view s, EventType* out) {
  const std::string n = Normalised(s);
  if (n == "view" || n == "click") return *out = EventType::View, true;
  if (n == "add" || n == "add to cart" || n == "cart") return *out = EventType::Add, true;
  if (n == "purchase" || n == "buy") return *out = EventType::Purchase, true;
  return false;
}

// [SECTION] Dataset

void Dataset::Index() {
  item_index.clear();
  user_index.clear();
  categories.clear();
  sizes.clear();
  personas.clear();
  item_category.assign(items.size(), 0);
  item_size.assign(items.size(), 0);
  user_persona.assign(users.size(), -1);
  auto intern = [](std::vector<std::string>* vocab, const std::string& v) {
    auto it = std::find(vocab->begin(), vocab->end(), v);
    if (it != vocab->end()) return uint32_t(it - vocab->begin());
    vocab->push_back(v);
    return uint32_t(vocab->size() - 1);
  };
  for (size_t i = 0; i < items.size(); i++) {
    item_index[items[i].id] = uint32_t(i);
    item_category[i] = intern(&categories, items[i].category);
    item_size[i] = intern(&sizes, items[i].size);
  }
  for (size_t u = 0; u < users.size(); u++) {
    user_index[users[u].id] = uint32_t(u);
    if (!users[u].persona.empty()) user_persona[u] = int32_t(intern(&personas, users[u].persona));
  }
}

Band Dataset::BandAt(int64_t ts) const {
  const int64_t day = ts >= 0 ? ts / 86400 : -((-ts + 86399) / 86400);
  auto it = std::lower_bound(weather.begin(), weather.end(), day,
                             [](const WeatherDay& w, int64_t d) { return w.day < d; });
  if (it == weather.end() || it->day != day) return Band::Unknown;
  return BandFromCelsius(it->avg_c);
}

int Dataset::PersonaIndex(const std::string& persona) const {
  for (size_t i = 0; i < personas.size(); i++)
    if (personas[i] == persona) return int(i);
  return -1;
}

void LoadReport::Note(const std::string& msg) {
  if (messages.size() < max_messages) messages.push_back(msg);
}

std::string LoadReport::Summary() const {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%zu rows; skipped %zu (malformed %zu, unknown user %zu, unknown item %zu, duplicate %zu); "
                "bad temperature %zu; context unknown %zu",
                rows, Skipped(), bad_rows, unknown_user, unknown_item, duplicates, bad_temperature,
                unknown_context);
  return buf;
}

// [SECTION] readers

namespace {

// A CSV file with a header row, columns looked up by (case-insensitive) name.
struct Table {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::pair<size_t, std::vector<std::string>>> rows;  // (line number, cells)

  int Col(std::initializer_list<const char*> names) const {
    for (const char* n : names)
      for (size_t c = 0; c < header.size(); c++)
        if (Normalised(header[c]) == Normalised(n)) return int(c);
    return -1;
  }
};

Status ReadTable(const std::string& path, Table* t, LoadReport* rep) {
  t->path = path;
  size_t line = 0;
  bool have_header = false;
  Status st = ForEachLine(path, [&](std::string_view l) {
    line++;
    bool blank = true;
    for (char c : l) blank = blank && std::isspace(static_cast<unsigned char>(c));
    if (blank) return true;
    auto cells = SplitCsvLine(l);
    if (!have_header) {
      have_header = true;
      // A UTF-8 byte-order mark would otherwise become part of the first name.
      if (cells[0].size() >= 3 && cells[0].compare(0, 3, "\xEF\xBB\xBF") == 0) cells[0].erase(0, 3);
      t->header = std::move(cells);
      return true;
    }
    rep->rows++;
    if (cells.size() != t->header.size()) {
      rep->bad_rows++;
      rep->Note(path + ":" + std::to_string(line) + ": " + std::to_string(cells.size()) + " cells, header has " +
                std::to_string(t->header.size()));
      return true;
    }
    t->rows.emplace_back(line, std::move(cells));
    return true;
  });
  if (!st) return st;
  if (!have_header) return Status::Error(path + ": empty file (no header row)");
  return Status::Ok();
}

Status Require(const Table& t, int col, const char* name) {
  if (col >= 0) return Status::Ok();
  return Status::Error(t.path + ":1: no " + name + " column in the header");
}

std::string Where(const Table& t, size_t line, const char* field) {
  return t.path + ":" + std::to_string(line) + ": " + field;
}


// "2020-03-25" (optionally followed by a time) -> days since epoch.
bool ParseDate(const std::string& s, int64_t* day) {
  int y, m, d;
  if (std::sscanf(s.c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  *day = DaysFromCivil(y, m, d);
  return true;
}

}  // namespace

Status ReadItems(const std::string& path, Dataset* ds, LoadReport* rep) {
  Table t;
  if (Status st = ReadTable(path, &t, rep); !st) return st;
  const int id = t.Col({"ITEM_ID", "id"}), cat = t.Col({"CATEGORY", "category_l1"}), size = t.Col({"SIZE"}),
            name = t.Col({"NAME", "PRODUCT_NAME"});
  if (Status st = Require(t, id, "ITEM_ID"); !st) return st;
  if (Status st = Require(t, cat, "CATEGORY"); !st) return st;
  std::set<std::string> seen;
  for (auto& it : ds->items) seen.insert(it.id);
  for (auto& [line, c] : t.rows) {
    Item item{Trim(c[size_t(id)]), Trim(c[size_t(cat)]), size >= 0 ? Trim(c[size_t(size)]) : "",
              name >= 0 ? Trim(c[size_t(name)]) : ""};
    if (item.id.empty()) {
      rep->bad_rows++;
      rep->Note(Where(t, line, "ITEM_ID") + " is empty");
      continue;
    }
    if (!seen.insert(item.id).second) {
      rep->duplicates++;
      rep->Note(Where(t, line, "ITEM_ID") + " '" + item.id + "' appears again (first row kept)");
      continue;
    }
    ds->items.push_back(std::move(item));
  }
  ds->Index();
  return Status::Ok();
}

Status ReadUsers(const std::string& path, Dataset* ds, LoadReport* rep) {
  Table t;
  if (Status st = ReadTable(path, &t, rep); !st) return st;
  const int id = t.Col({"USER_ID", "id"}), persona = t.Col({"PERSONA"});
  if (Status st = Require(t, id, "USER_ID"); !st) return st;
  std::set<std::string> seen;
  for (auto& u : ds->users) seen.insert(u.id);
  for (auto& [line, c] : t.rows) {
    User u{Trim(c[size_t(id)]), persona >= 0 ? Trim(c[size_t(persona)]) : ""};
    if (u.id.empty()) {
      rep->bad_rows++;
      rep->Note(Where(t, line, "USER_ID") + " is empty");
      continue;
    }
    if (!seen.insert(u.id).second) {
      rep->duplicates++;
      rep->Note(Where(t, line, "USER_ID") + " '" + u.id + "' appears again (first row kept)");
      continue;
    }
    ds->users.push_back(std::move(u));
  }
  ds->Index();
  return Status::Ok();
}

Status ReadWeather(const std::string& path, Dataset* ds, LoadReport* rep) {
  Table t;
  if (Status st = ReadTable(path, &t, rep); !st) return st;
  const int date = t.Col({"date", "DATE"}), loc = t.Col({"location_id", "location"}),
            avg = t.Col({"avg_temp_c", "average_temperature", "avg_temp", "temperature", "avg_temperature_air_2m_c"});
  if (Status st = Require(t, date, "date"); !st) return st;
  if (Status st = Require(t, avg, "average temperature (avg_temp_c)"); !st) return st;
  std::string location;  // one city: the first location seen; other rows are not joined
  for (auto& [line, c] : t.rows) {
    WeatherDay w;
    if (!ParseDate(Trim(c[size_t(date)]), &w.day)) {
      rep->bad_rows++;
      rep->Note(Where(t, line, "date") + " '" + c[size_t(date)] + "' is not YYYY-MM-DD");
      continue;
    }
    if (!ParseNumber(c[size_t(avg)], &w.avg_c)) {
      rep->bad_temperature++;
      rep->Note(Where(t, line, t.header[size_t(avg)].c_str()) + " '" + c[size_t(avg)] + "' is not a number");
      continue;
    }
    w.location = loc >= 0 ? Trim(c[size_t(loc)]) : "";
    if (location.empty()) location = w.location;
    if (w.location != location) continue;  // the seed keeps one city (location_id ST650)
    ds->weather.push_back(std::move(w));
  }
  std::stable_sort(ds->weather.begin(), ds->weather.end(),
                   [](const WeatherDay& a, const WeatherDay& b) { return a.day < b.day; });
  auto dup = std::unique(ds->weather.begin(), ds->weather.end(),
                         [](const WeatherDay& a, const WeatherDay& b) { return a.day == b.day; });
  if (dup != ds->weather.end()) {
    const size_t n = size_t(ds->weather.end() - dup);
    rep->duplicates += n;
    rep->Note(path + ": " + std::to_string(n) + " repeated date(s) for location " + location +
              " (first row kept)");
    ds->weather.erase(dup, ds->weather.end());
  }
  return Status::Ok();
}

struct InteractionReader::Impl {
  Dataset* ds;
  LoadReport* rep;
  Table t;  // header only; rows are handled as they come
  LineReader reader;
  size_t line = 0, before = 0;
  bool have_header = false;
  Status status;
  int user = -1, item = -1, ts = -1, ev = -1, temp = -1;
  std::set<std::tuple<uint32_t, uint32_t, int64_t, int>> seen;

  bool Header(std::vector<std::string> cells) {
    have_header = true;
    if (cells[0].size() >= 3 && cells[0].compare(0, 3, "\xEF\xBB\xBF") == 0) cells[0].erase(0, 3);
    t.header = std::move(cells);
    user = t.Col({"USER_ID"}), item = t.Col({"ITEM_ID"}), ts = t.Col({"TIMESTAMP"});
    ev = t.Col({"EVENT_TYPE"}), temp = t.Col({"DAILY_TEMPERATURE"});
    for (auto [col, name] : {std::pair<int, const char*>{user, "USER_ID"}, {item, "ITEM_ID"}, {ts, "TIMESTAMP"}})
      if (!(status = Require(t, col, name))) return false;
    return true;
  }

  void Row(const std::vector<std::string>& c) {
    Interaction x;
    auto u = ds->user_index.find(Trim(c[size_t(user)]));
    if (u == ds->user_index.end()) {
      rep->unknown_user++;
      rep->Note(Where(t, line, "USER_ID") + " '" + c[size_t(user)] + "' is not in users.csv");
      return;
    }
    auto i = ds->item_index.find(Trim(c[size_t(item)]));
    if (i == ds->item_index.end()) {
      rep->unknown_item++;
      rep->Note(Where(t, line, "ITEM_ID") + " '" + c[size_t(item)] + "' is not in items.csv");
      return;
    }
    x.user = u->second;
    x.item = i->second;
    double tsv;
    if (!ParseNumber(c[size_t(ts)], &tsv) || tsv < 0 || tsv > 4e9) {
      rep->bad_rows++;
      rep->Note(Where(t, line, "TIMESTAMP") + " '" + c[size_t(ts)] + "' is not Unix seconds");
      return;
    }
    x.ts = int64_t(tsv);
    if (ev >= 0 && !ParseEventType(c[size_t(ev)], &x.event)) {
      rep->bad_rows++;
      rep->Note(Where(t, line, "EVENT_TYPE") + " '" + c[size_t(ev)] + "' is not view/add/purchase");
      return;
    }
    if (!seen.emplace(x.user, x.item, x.ts, int(x.event)).second) {
      rep->duplicates++;
      rep->Note(Where(t, line, "row") + " repeats an earlier interaction (skipped)");
      return;
    }
    const std::string cell = temp >= 0 ? Trim(c[size_t(temp)]) : "";
    double celsius;
    if (!cell.empty() && ParseBand(cell, &x.band)) {
    } else if (!cell.empty() && ParseNumber(cell, &celsius)) {
      x.band = BandFromCelsius(celsius);
    } else {
      if (!cell.empty()) {
        rep->bad_temperature++;
        rep->Note(Where(t, line, "DAILY_TEMPERATURE") + " '" + cell +
                  "' is neither a band nor a number (weather join used)");
      }
      x.band = ds->BandAt(x.ts);
    }
    if (x.band == Band::Unknown) {
      rep->unknown_context++;
      if (rep->unknown_context == 1)
        rep->Note(Where(t, line, "TIMESTAMP") + " " + std::to_string(x.ts) +
                  " is outside the weather range (context 'unknown')");
    }
    ds->interactions.push_back(x);
  }
};

InteractionReader::InteractionReader(Dataset* ds, LoadReport* rep) : impl_(new Impl) {
  impl_->ds = ds;
  impl_->rep = rep;
}
InteractionReader::~InteractionReader() { delete impl_; }

Status InteractionReader::Open(const std::string& path) {
  impl_->t.path = path;
  if (impl_->ds->item_index.size() != impl_->ds->items.size() ||
      impl_->ds->user_index.size() != impl_->ds->users.size())
    impl_->ds->Index();
  impl_->before = impl_->ds->interactions.size();
  return impl_->reader.Open(path);
}

bool InteractionReader::Step(size_t max_lines) {
  Impl& m = *impl_;
  if (!m.status) return false;
  return m.reader.Read(max_lines, [&](std::string_view l) {
    m.line++;
    bool blank = true;
    for (char c : l) blank = blank && std::isspace(static_cast<unsigned char>(c));
    if (blank) return true;
    auto cells = SplitCsvLine(l);
    if (!m.have_header) return m.Header(std::move(cells));
    m.rep->rows++;
    if (cells.size() != m.t.header.size()) {
      m.rep->bad_rows++;
      m.rep->Note(m.t.path + ":" + std::to_string(m.line) + ": " + std::to_string(cells.size()) +
                  " cells, header has " + std::to_string(m.t.header.size()));
      return true;
    }
    m.Row(cells);
    return true;
  });
}

float InteractionReader::Progress() const { return impl_->reader.Progress(); }

Status InteractionReader::Finish() {
  Impl& m = *impl_;
  if (!m.status) return m.status;
  if (!m.have_header) return Status::Error(m.t.path + ": empty file (no header row)");
  std::stable_sort(m.ds->interactions.begin() + long(m.before), m.ds->interactions.end(),
                   [](const Interaction& a, const Interaction& b) { return a.ts < b.ts; });
  return Status::Ok();
}

Status ReadInteractions(const std::string& path, Dataset* ds, LoadReport* rep) {
  InteractionReader r(ds, rep);
  if (Status st = r.Open(path); !st) return st;
  while (r.Step(1 << 16)) {
  }
  return r.Finish();
}

Status LoadDataset(const std::string& dir, Dataset* ds, LoadReport* rep) {
  *ds = Dataset();
  if (Status st = ReadItems(dir + "/items.csv", ds, rep); !st) return st;
  if (Status st = ReadUsers(dir + "/users.csv", ds, rep); !st) return st;
  if (Status st = ReadWeather(dir + "/weather_data.csv", ds, rep); !st) return st;
  if (Status st = ReadInteractions(dir + "/interactions.csv", ds, rep); !st) return st;
  if (ds->items.empty()) return Status::Error(dir + "/items.csv: no valid items");
  if (ds->interactions.empty()) return Status::Error(dir + "/interactions.csv: no valid interactions");
  return Status::Ok();
}

DataFiles DataFilesIn(const std::string& dir) {
  return {dir + "/items.csv", dir + "/users.csv", dir + "/interactions.csv", dir + "/weather_data.csv"};
}

PersonalizeFile GuessPersonalizeCsv(const std::vector<std::string>& header) {
  // A byte-order mark starts the first name only, as the readers take it (one
  // inside the line stays part of its name there, so it must here too).
  std::vector<std::string> names = header;
  if (!names.empty() && names[0].compare(0, 3, "\xEF\xBB\xBF") == 0) names[0].erase(0, 3);
  auto has = [&](std::initializer_list<const char*> wanted) {
    for (const char* n : wanted)
      for (const std::string& h : names)
        if (Normalised(h) == Normalised(n)) return true;
    return false;
  };
  const bool user = has({"USER_ID"}), item = has({"ITEM_ID"});
  if (user && item && has({"TIMESTAMP"})) return PersonalizeFile::Interactions;
  if (user && !item) return PersonalizeFile::Users;
  if (item && !user) return PersonalizeFile::Items;
  if (has({"date"}) && has({"avg_temp_c", "average_temperature", "avg_temp", "temperature", "avg_temperature_air_2m_c"}))
    return PersonalizeFile::Weather;
  return PersonalizeFile::None;
}

const char* PersonalizeFileName(PersonalizeFile f) {
  switch (f) {
    case PersonalizeFile::Interactions: return "interactions";
    case PersonalizeFile::Users: return "users";
    case PersonalizeFile::Items: return "items";
    case PersonalizeFile::Weather: return "weather";
    case PersonalizeFile::None: break;
  }
  return "";
}

// [SECTION] writer

static std::string DateString(int64_t day) {
  int64_t y;
  int m, d;
  CivilFromDays(day, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(y), m, d);
  return buf;
}

Status WriteDataset(const std::string& dir, const Dataset& ds) {
  if (Status st = MakeDirs(dir); !st) return st;
  auto open = [&](const char* name, std::ofstream* f) {
    f->open(dir + "/" + name);
    return *f ? Status::Ok() : Status::Error(dir + "/" + name + ": cannot open for writing");
  };
  std::ofstream items, users, weather, inter;
  if (Status st = open("items.csv", &items); !st) return st;
  items << "ITEM_ID,CATEGORY,SIZE,NAME\n";
  for (auto& i : ds.items) items << i.id << ',' << i.category << ',' << i.size << ',' << i.name << '\n';
  if (Status st = open("users.csv", &users); !st) return st;
  users << "USER_ID,PERSONA\n";
  for (auto& u : ds.users) users << u.id << ',' << u.persona << '\n';
  if (Status st = open("weather_data.csv", &weather); !st) return st;
  weather << "date,location_id,avg_temp_c\n";
  char num[32];
  for (auto& w : ds.weather) {
    std::snprintf(num, sizeof num, "%.1f", w.avg_c);
    weather << DateString(w.day) << ',' << w.location << ',' << num << '\n';
  }
  if (Status st = open("interactions.csv", &inter); !st) return st;
  inter << "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DAILY_TEMPERATURE\n";
  for (auto& x : ds.interactions)
    inter << ds.users[x.user].id << ',' << ds.items[x.item].id << ',' << x.ts << ',' << EventTypeName(x.event)
          << ',' << (x.band == Band::Unknown ? "" : BandName(x.band)) << '\n';
  if (!items || !users || !weather || !inter) return Status::Error(dir + ": write failed");
  return Status::Ok();
}

std::vector<size_t> CountByBand(const Dataset& ds) {
  std::vector<size_t> n(kNumBands + 1, 0);
  for (auto& x : ds.interactions) n[size_t(x.band)]++;
  return n;
}

}  // namespace fk::recommend
