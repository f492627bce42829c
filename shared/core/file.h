// Reading a whole file, written once: every reader of a model, manifest,
// image, CSV, settings or store file goes through here, so a missing file, a
// directory, an I/O error and a file too big to hold are told apart and none
// of them crashes.
//   fk::Result<std::string> r = fk::ReadFile("data/forecast/sales.csv");
//   if (!r) return r.status();        // "data/forecast/sales.csv: cannot open"
//   FileError why;                    // a caller with its own wording asks what went wrong:
//   auto b = fk::ReadFileBytes(path, &why);
//   if (why == FileError::kCannotOpen) return Status::Error(path + ": cannot open manifest");
#pragma once
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fk {

enum class FileError {
  kNone,
  kCannotOpen,   // "<path>: cannot open" (missing, no permission)
  kIsDirectory,  // "<path>: cannot open (a directory)"
  kReadError,    // "<path>: read error" (opened, then the read failed)
  kTooLarge,     // "<path>: too large to read whole (N bytes; the limit is M)"
};

// The largest file read whole; bigger inputs are streamed (LineReader below).
// wasm's heap is 32-bit, so it gets less.
constexpr uint64_t kMaxReadFileBytes = sizeof(size_t) >= 8 ? (uint64_t(8) << 30) : (uint64_t(1) << 30);

Result<std::string> ReadFile(const std::string& path, FileError* error = nullptr,
                             uint64_t max_bytes = kMaxReadFileBytes);
// The same bytes, for binary decoders (images, .fks models).
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, FileError* error = nullptr,
                                           uint64_t max_bytes = kMaxReadFileBytes);

// Reads a file line by line in 1 MB chunks, as many lines per call as asked,
// so a caller can spread a big file over many UI frames.
//   LineReader r;  if (!r.Open(path)) ...;  while (r.Read(10000, fn)) show(r.Progress());
class LineReader {
 public:
  Status Open(const std::string& path);
  // Calls fn for up to max_lines lines (without the newline; '\r' stripped).
  // Returns false once the file is exhausted (or fn returned false).
  bool Read(size_t max_lines, const std::function<bool(std::string_view)>& fn);
  float Progress() const { return size_ ? float(double(consumed_) / double(size_)) : 1.f; }

 private:
  std::ifstream in_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;   // unread part of buf_
  std::string carry_;          // a line split across chunks
  uint64_t size_ = 0, consumed_ = 0;
  bool done_ = false;
};

// Calls fn for every line of the file (without the newline; '\r' stripped),
// reading 1 MB at a time. fn returns false to stop early.
Status ForEachLine(const std::string& path, const std::function<bool(std::string_view)>& fn);

// mkdir -p; names the path on failure.
Status MakeDirs(const std::string& path);

// The entries of a folder (not "." and ".."), sorted by name, so every caller
// sees one order natively and in the page's MEMFS. Fails naming the path when
// it is missing or not a folder.
//   auto r = fk::ListDir("photos");   // [{"cat", true}, {"notes.txt", false}, ...]
struct DirEntry {
  std::string name;
  bool is_dir = false;
};
Result<std::vector<DirEntry>> ListDir(const std::string& path);

}  // namespace fk
