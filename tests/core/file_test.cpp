#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/file.h"

using fk::FileError;

namespace {
std::string Scratch(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("fk_core_file_") + name)).string();
}
}  // namespace

TEST_CASE("core/file: ReadFile returns every byte, binary and empty files too") {
  const std::string p = Scratch("bytes.bin");
  std::string want("a\r\nb\0c\xff", 7);
  for (int i = 0; i < 70000; i++) want += char('0' + i % 10);  // past one 64 KiB chunk
  std::ofstream(p, std::ios::binary) << want;
  FileError why = FileError::kReadError;
  auto r = fk::ReadFile(p, &why);
  REQUIRE(r.ok());
  CHECK(*r == want);
  CHECK(why == FileError::kNone);
  auto b = fk::ReadFileBytes(p);
  REQUIRE(b.ok());
  CHECK(std::string(b->begin(), b->end()) == want);

  std::ofstream(p, std::ios::binary | std::ios::trunc).flush();
  auto e = fk::ReadFile(p);
  REQUIRE(e.ok());
  CHECK(e->empty());
  std::remove(p.c_str());
}

TEST_CASE("core/file: a missing file, a directory and an over-limit file are told apart") {
  const std::string missing = Scratch("missing.csv");
  std::remove(missing.c_str());
  FileError why = FileError::kNone;
  auto m = fk::ReadFile(missing, &why);
  CHECK_FALSE(m.ok());
  CHECK(why == FileError::kCannotOpen);
  CHECK(m.status().message() == missing + ": cannot open");

  const std::string dir = Scratch("dir");
  std::filesystem::create_directories(dir);
  auto d = fk::ReadFileBytes(dir, &why);
  CHECK_FALSE(d.ok());
  CHECK(why == FileError::kIsDirectory);
  CHECK(d.status().message() == dir + ": cannot open (a directory)");
  fk::LineReader lines;
  CHECK(lines.Open(dir).message() == dir + ": cannot open (a directory)");
  CHECK(fk::ForEachLine(missing, [](std::string_view) { return true; }).message() == missing + ": cannot open");

  const std::string p = Scratch("ten.txt");
  std::ofstream(p, std::ios::binary) << "0123456789";
  auto t = fk::ReadFile(p, &why, 9);
  CHECK_FALSE(t.ok());
  CHECK(why == FileError::kTooLarge);
  CHECK(t.status().message() == p + ": too large to read whole (10 bytes; the limit is 9)");
  CHECK(fk::ReadFile(p, &why, 10).ok());  // the limit itself is allowed
  std::remove(p.c_str());
}

#ifndef __EMSCRIPTEN__  // MEMFS would allocate the whole size
TEST_CASE("core/file: a file bigger than the limit is refused before any allocation") {
  // A sparse file: its size is past kMaxReadFileBytes, its disk use is nothing.
  const std::string p = Scratch("huge.bin");
  { std::ofstream(p, std::ios::binary) << "x"; }
  std::error_code ec;
  std::filesystem::resize_file(p, fk::kMaxReadFileBytes + 1, ec);
  if (!ec) {
    FileError why = FileError::kNone;
    auto r = fk::ReadFile(p, &why);
    CHECK_FALSE(r.ok());
    CHECK(why == FileError::kTooLarge);
    CHECK(r.status().message().find(": too large to read whole (") != std::string::npos);
  }
  std::remove(p.c_str());
}

TEST_CASE("core/file: LineReader gives every line without its newline or '\\r', the last one too") {
  const std::string p = Scratch("lines.txt");
  std::string big(3u << 20, 'x');  // one line across several 1 MB chunks
  std::ofstream(p, std::ios::binary) << "a\r\n\nb\n" << big << "\nlast";
  std::vector<std::string> got;
  REQUIRE(fk::ForEachLine(p, [&](std::string_view l) { got.emplace_back(l); return true; }).ok());
  CHECK(got == std::vector<std::string>{"a", "", "b", big, "last"});
  got.clear();
  fk::LineReader r;
  REQUIRE(r.Open(p).ok());
  CHECK(r.Read(2, [&](std::string_view l) { got.emplace_back(l); return true; }));
  CHECK(got.size() == 2);
  while (r.Read(2, [&](std::string_view l) { got.emplace_back(l); return true; })) {
  }
  CHECK(got.size() == 5);
  CHECK(r.Progress() == 1.f);
  std::remove(p.c_str());
}

TEST_CASE("core/file: LineReader drops a UTF-8 byte-order mark at the file's start only") {
  const std::string p = Scratch("bom.jsonl");
  auto lines = [&](const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
    std::vector<std::string> got;
    REQUIRE(fk::ForEachLine(p, [&](std::string_view l) { got.emplace_back(l); return true; }).ok());
    return got;
  };
  // Before, the first record of a JSON Lines file saved with a BOM did not parse.
  CHECK(lines("\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n") == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
  CHECK(lines("x\n\xEF\xBB\xBFy\n") == std::vector<std::string>{"x", "\xEF\xBB\xBFy"});  // inside: data
  CHECK(lines("\xEF\xBB\xBF").empty());
  CHECK(lines("\xEF\xBB") == std::vector<std::string>{"\xEF\xBB"});  // too short to be one
  CHECK(lines("ab") == std::vector<std::string>{"ab"});
  fk::LineReader r;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << "\xEF\xBB\xBFa\nb";
  REQUIRE(r.Open(p).ok());
  while (r.Read(1, [](std::string_view) { return true; })) {
  }
  CHECK(r.Progress() == 1.f);
  std::remove(p.c_str());
}

TEST_CASE("core/file: a file without a size (a pipe, /proc) is read to its end") {
  FileError why = FileError::kReadError;
  auto r = fk::ReadFile("/proc/self/status", &why);
  REQUIRE(r.ok());
  CHECK(why == FileError::kNone);
  CHECK(r->find("Name:") != std::string::npos);
  auto small = fk::ReadFile("/proc/self/status", &why, 8);  // the chunk loop checks the limit too
  CHECK_FALSE(small.ok());
  CHECK(why == FileError::kTooLarge);
}
#endif

TEST_CASE("core/file: ListDir gives a folder's entries sorted, folders marked; a missing path or a file is named") {
  namespace fs = std::filesystem;
  const std::string d = Scratch("listdir");
  fs::remove_all(d);
  fs::create_directories(d + "/b_dir");
  std::ofstream(d + "/c.txt") << "x";
  std::ofstream(d + "/a.txt") << "x";
  auto r = fk::ListDir(d);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].name == "a.txt");
  CHECK_FALSE((*r)[0].is_dir);
  CHECK((*r)[1].name == "b_dir");
  CHECK((*r)[1].is_dir);
  CHECK((*r)[2].name == "c.txt");
  auto missing = fk::ListDir(d + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == d + "/nope: cannot open (no such folder)");
  auto file = fk::ListDir(d + "/a.txt");
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == d + "/a.txt: not a folder");
  fs::remove_all(d);
}
