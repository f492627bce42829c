#include <doctest/doctest.h>

#include <filesystem>

#include "features/store.h"
#include "features/wal.h"
#include "test_util.h"

using namespace fk::features;
using namespace fk::features::test;
using KV = std::vector<std::pair<std::string, std::string>>;

namespace {
// A store with three records in one log segment; returns the segment's path
// and where the last frame starts.
std::string ThreeRecords(const std::string& dir, uint64_t* last_frame_start,
                         OfflineFormat format = OfflineFormat::Parquet) {
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  FeatureGroup g = UsersGroup();
  g.offline_format = format;
  REQUIRE(s->CreateGroup(g).ok());
  for (int i = 0; i < 3; i++)
    REQUIRE(s->Put("users", KV{{"user_id", "u" + std::to_string(i)}, {"ts", "100"}, {"age", std::to_string(i)}}).ok());
  s.reset();  // checkpoint: sealed, offline written
  const std::string seg = dir + "/wal/000001.log";
  std::vector<uint64_t> starts;
  WalScan scan = ScanSegment(seg, [&](std::string_view, uint64_t off) { starts.push_back(off); });
  REQUIRE(scan.error.ok());
  REQUIRE(starts.size() == 3);
  *last_frame_start = starts.back();
  return seg;
}
}  // namespace

TEST_CASE("features/wal: frames round-trip and the CRC covers length and payload") {
  WalRecord r;
  r.op = WalOp::SoftDelete;
  r.group_uid = 77;
  r.event_time = 12.5;
  r.api_time_us = 99;
  r.values = {"id", "", "x,y"};
  std::string buf;
  AppendWalFrame(&buf, r);
  WalRecord d;
  REQUIRE(DecodeWalPayload(std::string_view(buf).substr(kWalFrameHeader), &d));
  CHECK(d.op == WalOp::SoftDelete);
  CHECK(d.group_uid == 77);
  CHECK(d.event_time == 12.5);
  CHECK(d.values.size() == 3);
  CHECK(d.values[2] == "x,y");
  CHECK(Crc32("123456789", 9) == 0xCBF43926u);  // the standard check value
}

TEST_CASE("features/wal: a torn last record is discarded at every byte offset, the rest kept") {
  const auto dir = ScratchDir("torn");
  uint64_t last = 0;
  const std::string seg = ThreeRecords(dir, &last);
  const std::string full = ReadText(seg);
  const auto copy = ScratchDir("torn_copy");
  for (uint64_t cut = last; cut < full.size(); cut++) {
    CAPTURE(cut);
    std::filesystem::remove_all(copy);
    std::filesystem::copy(dir, copy, std::filesystem::copy_options::recursive);
    std::filesystem::remove(copy + "/wal/000001.offline");  // as if the crash came before the checkpoint
    WriteText(copy + "/wal/000001.log", full.substr(0, cut));
    double now = 2e9;
    auto s = OpenAt(copy, &now);
    REQUIRE(s);
    CHECK(s->Get("users", "u0").ok());
    CHECK(s->Get("users", "u1").ok());
    CHECK_FALSE(s->Get("users", "u2").ok());
    CHECK(std::filesystem::file_size(copy + "/wal/000001.log") == last);
    if (cut > last) CHECK(s->RecoveryNotes().size() == 1);
    CHECK(s->Verify().ok);
  }
}

TEST_CASE("features/wal: a corrupt record in the middle is reported with file and offset, and nothing is lost") {
  const auto dir = ScratchDir("corrupt");
  uint64_t last = 0;
  const std::string seg = ThreeRecords(dir, &last);
  std::string bytes = ReadText(seg);
  const size_t flip = size_t(last) - 3;  // inside the second record's payload
  bytes[flip] = char(bytes[flip] ^ 0x40);
  WriteText(seg, bytes);
  double now = 2e9;
  StoreOptions o;
  o.now = [&] { return now; };
  auto s = FeatureStore::Open(dir, o);
  REQUIRE_FALSE(s.ok());
  const std::string m = s.status().message();
  CHECK(m.find("000001.log") != std::string::npos);
  CHECK(m.find("byte ") != std::string::npos);
  CHECK(m.find("good records follow") != std::string::npos);
  CHECK(ReadText(seg) == bytes);  // not truncated: the third record is still there to salvage
}

TEST_CASE("features/wal: verify names a damaged offline file and line") {
  const auto dir = ScratchDir("offline_corrupt");
  uint64_t last = 0;
  ThreeRecords(dir, &last, OfflineFormat::Csv);
  std::string part;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir + "/offline"))
    if (e.path().extension() == ".csv") part = e.path().string();
  REQUIRE(!part.empty());
  std::string text = ReadText(part);
  const size_t second_row = text.find('\n', text.find('\n') + 1) + 1;
  text.insert(second_row, "u9,100,notanumber,,x,y,false\n");
  WriteText(part, text);
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  REQUIRE(s);
  auto v = s->Verify();
  CHECK_FALSE(v.ok);
  REQUIRE(v.errors.size() == 1);
  CHECK(v.errors[0].file == part);
  CHECK(v.errors[0].offset == 3);
  CHECK(v.errors[0].message.find("age") != std::string::npos);
}

TEST_CASE("features/wal: verify names a damaged offline Parquet file and the byte") {
  const auto dir = ScratchDir("offline_corrupt_pq");
  uint64_t last = 0;
  ThreeRecords(dir, &last);
  std::string part;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir + "/offline"))
    if (e.path().extension() == ".parquet") part = e.path().string();
  REQUIRE(!part.empty());
  const std::string good = ReadText(part);
  {
    double now = 2e9;
    auto s = OpenAt(dir, &now);
    auto v = s->Verify();
    CHECK(v.ok);
    CHECK(v.offline_rows == 3);
  }
  // The first page header (byte 4: type 15 00, then uncompressed_page_size 15 <18 bytes of
  // user_id values, one varint byte>) given a size of -1 (zigzag 1).
  std::string bad = good;
  REQUIRE(bad.substr(4, 3) == std::string("\x15\x00\x15", 3));
  bad[7] = char(0x01);
  WriteText(part, bad);
  double now = 2e9;
  auto s = OpenAt(dir, &now);
  auto v = s->Verify();
  CHECK_FALSE(v.ok);
  REQUIRE(v.errors.size() == 1);
  CHECK(v.errors[0].file == part);
  CHECK_MESSAGE(v.errors[0].message.find("compressed_page_size") != std::string::npos, v.errors[0].message);
  CHECK(v.errors[0].offset > 0);
  // Cut short: refused as well.
  WriteText(part, good.substr(0, good.size() - 1));
  v = s->Verify();
  CHECK_FALSE(v.ok);
  CHECK(v.errors[0].message.find("not a Parquet file") != std::string::npos);
}
