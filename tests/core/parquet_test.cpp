#include <doctest/doctest.h>

#include <climits>
#include <string>
#include <vector>

#include "core/parquet.h"
#include "core/rng.h"

using fk::parquet::ColumnSpec;
using fk::parquet::ColumnType;
using fk::parquet::ParquetTable;
using fk::parquet::ParquetWriter;
using fk::parquet::ReadParquet;
using fk::parquet::TimeUnit;
using fk::parquet::WriterOptions;

namespace {

std::vector<ColumnSpec> PqAllTypes() {
  return {{"id", ColumnType::String, false},
          {"n", ColumnType::Int64},
          {"x", ColumnType::Double},
          {"flag", ColumnType::Boolean},
          {"name", ColumnType::String},
          {"at", ColumnType::Timestamp, true, TimeUnit::Micros},
          {"at_ms", ColumnType::Timestamp, false, TimeUnit::Millis}};
}

// Row i of a table with every type; every 3rd optional value is null, every 5th name is "".
void PqAppendRow(ParquetWriter& w, int i) {
  w.AppendString(0, "id" + std::to_string(i));
  if (i % 3 == 1) w.AppendNull(1);
  else w.AppendInt64(1, int64_t(i) * 1000003 - 7);
  if (i % 3 == 2) w.AppendNull(2);
  else w.AppendDouble(2, i * 0.25 - 3);
  if (i % 3 == 0) w.AppendNull(3);
  else w.AppendBool(3, i % 2 == 0);
  if (i % 3 == 1) w.AppendNull(4);
  else w.AppendString(4, i % 5 == 0 ? "" : "cat" + std::to_string(i % 4));
  if (i % 3 == 2) w.AppendNull(5);
  else w.AppendInt64(5, 1700000000000000 + int64_t(i) * 1000000);
  w.AppendInt64(6, 1700000000000 + i);
}

void PqCheckRow(const ParquetTable& t, int i) {
  const size_t r = size_t(i);
  CAPTURE(i);
  CHECK(t.columns[0].strings[r] == "id" + std::to_string(i));
  CHECK(t.columns[1].nulls[r] == (i % 3 == 1));
  if (i % 3 != 1) CHECK(t.columns[1].ints[r] == int64_t(i) * 1000003 - 7);
  CHECK(t.columns[2].nulls[r] == (i % 3 == 2));
  if (i % 3 != 2) CHECK(t.columns[2].doubles[r] == i * 0.25 - 3);
  CHECK(t.columns[3].nulls[r] == (i % 3 == 0));
  if (i % 3 != 0) CHECK(t.columns[3].ints[r] == (i % 2 == 0));
  CHECK(t.columns[4].nulls[r] == (i % 3 == 1));
  if (i % 3 != 1) CHECK(t.columns[4].strings[r] == (i % 5 == 0 ? "" : "cat" + std::to_string(i % 4)));
  CHECK(t.columns[5].nulls[r] == (i % 3 == 2));
  if (i % 3 != 2) CHECK(t.columns[5].ints[r] == 1700000000000000 + int64_t(i) * 1000000);
  CHECK(t.columns[6].ints[r] == 1700000000000 + i);
}

std::string PqWrite(int rows, WriterOptions opt = {}) {
  ParquetWriter w(PqAllTypes(), opt);
  for (int i = 0; i < rows; i++) PqAppendRow(w, i);
  auto b = w.Finish();
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  return *b;
}

}  // namespace

TEST_CASE("parquet: every type round-trips, nulls stay nulls and empty strings stay empty") {
  const std::string bytes = PqWrite(30);
  CHECK(bytes.substr(0, 4) == "PAR1");
  auto t = ReadParquet(bytes, "t.parquet");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  REQUIRE(t->rows == 30);
  REQUIRE(t->columns.size() == 7);
  CHECK(t->created_by == "fieldkit");
  const auto want = PqAllTypes();
  for (size_t c = 0; c < want.size(); c++) {
    CHECK(t->columns[c].spec.name == want[c].name);
    CHECK(t->columns[c].spec.type == want[c].type);
    CHECK(t->columns[c].spec.nullable == want[c].nullable);
  }
  CHECK(t->columns[5].spec.unit == TimeUnit::Micros);
  CHECK(t->columns[6].spec.unit == TimeUnit::Millis);
  CHECK(t->Index("name") == 4);
  CHECK(t->Index("nope") == -1);
  for (int i = 0; i < 30; i++) PqCheckRow(*t, i);
  CHECK(t->columns[4].NullCount() == 10);
  CHECK(t->columns[0].NullCount() == 0);
}

TEST_CASE("parquet: many rows across pages and row groups, with and without dictionaries and deltas") {
  for (int mode = 0; mode < 3; mode++) {
    CAPTURE(mode);
    WriterOptions o;
    o.page_rows = 97;
    o.row_group_rows = 1000;
    o.dictionary = mode != 1;
    o.delta = mode != 2;
    const std::string bytes = PqWrite(2500, o);
    auto t = ReadParquet(bytes, "t.parquet");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    REQUIRE(t->rows == 2500);
    for (int i = 0; i < 2500; i += 7) PqCheckRow(*t, i);
    PqCheckRow(*t, 2499);
  }
}

TEST_CASE("parquet: a dictionary pays for repeated strings and integers, deltas for sequences") {
  auto build = [](bool dict, bool delta) {
    WriterOptions o;
    o.dictionary = dict;
    o.delta = delta;
    ParquetWriter w({{"s", ColumnType::String}, {"t", ColumnType::Timestamp, false}, {"seq", ColumnType::Int64}}, o);
    for (int i = 0; i < 5000; i++) {
      w.AppendString(0, "category-" + std::to_string(i % 10));
      w.AppendInt64(1, 1700000000000000 + (i / 1000) * 1000000);  // a few distinct times (one per batch)
      w.AppendInt64(2, 1700000000 + i);
    }
    auto b = w.Finish();
    REQUIRE(b.ok());
    auto t = ReadParquet(*b, "d.parquet");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    for (int i = 0; i < 5000; i += 13) {
      CHECK(t->columns[0].strings[size_t(i)] == "category-" + std::to_string(i % 10));
      CHECK(t->columns[1].ints[size_t(i)] == 1700000000000000 + (i / 1000) * 1000000);
      CHECK(t->columns[2].ints[size_t(i)] == 1700000000 + i);
    }
    return b->size();
  };
  const size_t plain = build(false, false), packed = build(true, true);
  CHECK(packed * 10 < plain);  // 3 x 8+ bytes a row -> about a byte
  // Deltas alone (no dictionary) still shrink the sequence column.
  CHECK(build(false, true) < plain);
}

TEST_CASE("parquet: extreme integers and doubles round-trip through every encoding") {
  const std::vector<int64_t> ints = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN, INT64_MAX, 42, -42, INT64_MAX};
  const std::vector<double> dbl = {0.0, -0.0, 1e308, -1e-308, 3.141592653589793, 1.0 / 3};
  for (int mode = 0; mode < 3; mode++) {
    WriterOptions o;
    o.dictionary = mode == 0;
    o.delta = mode == 1;
    o.page_rows = 3;
    ParquetWriter w({{"i", ColumnType::Int64, false}, {"d", ColumnType::Double}}, o);
    for (size_t k = 0; k < 400; k++) {
      w.AppendInt64(0, ints[k % ints.size()]);
      w.AppendDouble(1, dbl[k % dbl.size()]);
    }
    auto b = w.Finish();
    REQUIRE(b.ok());
    auto t = ReadParquet(*b, "x.parquet");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    for (size_t k = 0; k < 400; k++) {
      CHECK(t->columns[0].ints[k] == ints[k % ints.size()]);
      CHECK(t->columns[1].doubles[k] == dbl[k % dbl.size()]);
    }
  }
}

TEST_CASE("parquet: empty files, all-null columns and random data round-trip") {
  {
    ParquetWriter w(PqAllTypes());
    auto b = w.Finish();
    REQUIRE(b.ok());
    auto t = ReadParquet(*b, "empty.parquet");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    CHECK(t->rows == 0);
    CHECK(t->columns.size() == 7);
  }
  fk::Rng rng(5);
  ParquetWriter w({{"a", ColumnType::Int64}, {"s", ColumnType::String}, {"z", ColumnType::Double}});
  std::vector<int64_t> a;
  std::vector<std::string> s;
  for (int i = 0; i < 3000; i++) {
    a.push_back(int64_t(rng.Below(1000000)) - 500000);
    s.push_back(std::string(rng.Below(6), char('a' + rng.Below(3))));
    if (a.back() % 4 == 0) w.AppendNull(0);
    else w.AppendInt64(0, a.back());
    w.AppendString(1, s.back());
    w.AppendNull(2);
  }
  auto b = w.Finish();
  REQUIRE(b.ok());
  auto t = ReadParquet(*b, "r.parquet");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  for (size_t i = 0; i < 3000; i++) {
    CHECK(t->columns[0].nulls[i] == (a[i] % 4 == 0));
    if (a[i] % 4) CHECK(t->columns[0].ints[i] == a[i]);
    CHECK(t->columns[1].strings[i] == s[i]);
  }
  CHECK(t->columns[2].NullCount() == 3000);
}

TEST_CASE("parquet: the writer refuses misuse naming the column") {
  ParquetWriter w({{"id", ColumnType::String, false}, {"n", ColumnType::Int64}});
  w.AppendNull(0);
  w.AppendInt64(1, 1);
  auto b = w.Finish();
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().message().find("'id'") != std::string::npos);
  CHECK(b.status().message().find("REQUIRED") != std::string::npos);

  ParquetWriter w2({{"id", ColumnType::String, false}, {"n", ColumnType::Int64}});
  w2.AppendString(0, "a");
  w2.AppendString(0, "b");
  w2.AppendInt64(1, 1);
  auto b2 = w2.Finish();
  REQUIRE_FALSE(b2.ok());
  CHECK(b2.status().message().find("rows") != std::string::npos);

  ParquetWriter w3({{"x", ColumnType::Double}});
  w3.AppendString(0, "1.5");
  CHECK(w3.Finish().status().message().find("'x' (double): given a string") != std::string::npos);
}

TEST_CASE("parquet: malformed files are refused with a message, never a crash") {
  WriterOptions o;
  o.page_rows = 7;
  const std::string good = PqWrite(20, o);
  REQUIRE(ReadParquet(good, "g").ok());
  auto refused = [](const std::string& bytes, const char* want) {
    auto t = ReadParquet(bytes, "bad.parquet");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().message().rfind("bad.parquet: ", 0) == 0);
    CHECK_MESSAGE(t.status().message().find(want) != std::string::npos, t.status().message());
  };
  refused("", "not a Parquet file");
  refused("PAR1PAR1", "not a Parquet file");
  refused("PAR1" + good.substr(4, good.size() - 8) + "PAR2", "not a Parquet file");
  // The footer length points before the start.
  std::string b = good;
  b[b.size() - 5] = char(0x7f);
  refused(b, "footer length");
  // Every truncation (end magic restored) and every single-byte change: an
  // answer either way, a message when refused.
  for (size_t cut = 0; cut < good.size(); cut++) {
    auto t = ReadParquet(good.substr(0, cut), "cut.parquet");
    CHECK_FALSE(t.ok());
    CHECK(!t.status().message().empty());
  }
  size_t refused_n = 0;
  for (size_t i = 4; i + 8 < good.size(); i++) {
    std::string m = good;
    m[i] = char(uint8_t(m[i]) ^ (i % 2 ? 0x81 : 0x10));
    auto t = ReadParquet(m, "flip.parquet");
    if (!t.ok()) {
      refused_n++;
      CHECK(t.status().message().rfind("flip.parquet: ", 0) == 0);
    } else {
      CHECK(t->columns.size() == 7);
    }
  }
  CHECK(refused_n > good.size() / 4);
}

TEST_CASE("parquet: Snappy pages round-trip, shrink repetitive data, and damaged ones are refused") {
  WriterOptions o;
  o.snappy = true;
  o.page_rows = 50;
  const std::string bytes = PqWrite(600, o);
  auto t = ReadParquet(bytes, "z.parquet");
  REQUIRE_MESSAGE(t.ok(), t.status().message());
  REQUIRE(t->rows == 600);
  for (int i = 0; i < 600; i++) PqCheckRow(*t, i);
  // PLAIN strings that repeat: Snappy finds the repeats.
  auto text = [](bool snappy) {
    WriterOptions w;
    w.dictionary = false;
    w.snappy = snappy;
    ParquetWriter pw({{"s", ColumnType::String, false}}, w);
    for (int i = 0; i < 2000; i++) pw.AppendString(0, "https://example.com/items/" + std::to_string(i % 300));
    return *pw.Finish();
  };
  const std::string plain = text(false), packed = text(true);
  CHECK(packed.size() * 3 < plain.size());
  auto back = ReadParquet(packed, "z.parquet");
  REQUIRE(back.ok());
  CHECK(back->columns[0].strings[1999] == "https://example.com/items/" + std::to_string(1999 % 300));
  // Every third byte changed inside the pages of a smaller file: refused with a message or read (a literal's bytes).
  o.page_rows = 7;
  const std::string small = PqWrite(40, o);
  size_t refused = 0;
  const size_t footer = small.size() - 8 - size_t(uint8_t(small[small.size() - 8])) - (size_t(uint8_t(small[small.size() - 7])) << 8);
  for (size_t i = 4; i < footer; i += 3) {
    std::string m = small;
    m[i] = char(uint8_t(m[i]) ^ 0x5a);
    auto r = ReadParquet(m, "zflip.parquet");
    if (!r.ok()) {
      refused++;
      CHECK(r.status().message().rfind("zflip.parquet: ", 0) == 0);
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("parquet: what the reader does not support is named") {
  ParquetWriter w({{"n", ColumnType::Int64, false}});
  for (int i = 0; i < 5; i++) w.AppendInt64(0, i);
  std::string b = *w.Finish();
  // The codec field of ColumnMetaData (field 4, i32 0 -> 2: GZIP): the byte
  // after "\x15\x00" following path_in_schema "n".
  const size_t at = b.find(std::string("\x19\x18\x01n\x15\x00", 6));
  REQUIRE(at != std::string::npos);
  b[at + 5] = 4;  // zigzag(2)
  auto t = ReadParquet(b, "s.parquet");
  REQUIRE_FALSE(t.ok());
  CHECK_MESSAGE(t.status().message().find("codec GZIP is not supported") != std::string::npos, t.status().message());
  CHECK(t.status().message().find("column 'n'") != std::string::npos);
}
