#include "recommend/movielens.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/file.h"
#include "core/strings.h"

namespace fk::recommend {

namespace {

struct Rating {
  std::string user, item;
  int64_t ts;
};

Status ReadRatings(const std::string& path, std::vector<Rating>* out, MovieLensSplit* s) {
  size_t line = 0;
  Status st = ForEachLine(path, [&](std::string_view l) {
    line++;
    if (l.empty()) return true;
    std::vector<std::string> f;
    std::string cur;
    for (char c : l) {
      if (c == '\t' || c == ':' || c == ',') {
        if (!cur.empty() || c != ':') f.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    f.push_back(cur);
    double rating, ts;
    const char* why = nullptr;
    if (f.size() < 4 || f[0].empty() || f[1].empty() || !ParseNumber(f[2], &rating) ||
        !ParseNumber(f[3], &ts))
      why = "expected user<TAB>item<TAB>rating<TAB>timestamp";
    else if (!(ts >= 0 && ts <= 4e9))  // also keeps the int64 conversion below defined
      why = "timestamp is not Unix seconds (0 to 4e9)";
    if (why) {
      if (s->bad_lines++ == 0) s->first_error = path + ":" + std::to_string(line) + ": " + why;
      return true;
    }
    out->push_back({f[0], f[1], int64_t(ts)});
    return true;
  });
  return st;
}

}  // namespace

Status LoadMovieLensSplit(const std::string& train_path, const std::string& test_path, MovieLensSplit* s) {
  std::vector<Rating> train, test;
  if (Status st = ReadRatings(train_path, &train, s); !st) return st;
  if (Status st = ReadRatings(test_path, &test, s); !st) return st;
  if (train.empty()) return Status::Error(train_path + ": no ratings");
  if (test.empty()) return Status::Error(test_path + ": no ratings");
  // Numeric ids sort numerically, so user 2 comes before user 10 in outputs.
  auto by_number = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  };
  std::vector<std::string> users, items;
  for (auto* v : {&train, &test})
    for (auto& r : *v) users.push_back(r.user), items.push_back(r.item);
  for (auto* v : {&users, &items}) {
    std::sort(v->begin(), v->end(), by_number);
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  for (auto& u : users) s->ds.users.push_back({u, ""});
  for (auto& i : items) s->ds.items.push_back({i, "", "", ""});
  s->ds.Index();
  for (auto& r : train)
    s->train.push_back({s->ds.user_index[r.user], s->ds.item_index[r.item], r.ts, EventType::View, Band::Unknown});
  std::sort(s->train.begin(), s->train.end(),
            [](const Interaction& a, const Interaction& b) { return a.ts < b.ts; });
  std::map<uint32_t, size_t> query_of;
  for (auto& r : test) {
    const uint32_t u = s->ds.user_index[r.user], i = s->ds.item_index[r.item];
    auto it = query_of.find(u);
    if (it == query_of.end()) {
      it = query_of.emplace(u, s->test.size()).first;
      s->test.push_back({u, Band::Unknown, {}});
    }
    auto& rel = s->test[it->second].relevant;
    if (std::find(rel.begin(), rel.end(), i) == rel.end()) rel.push_back(i);
  }
  std::sort(s->test.begin(), s->test.end(), [](const TestQuery& a, const TestQuery& b) { return a.user < b.user; });
  return Status::Ok();
}

}  // namespace fk::recommend
