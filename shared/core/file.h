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
#include <string>
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

// The largest file read whole; bigger inputs are streamed (stream::LineReader).
// wasm's heap is 32-bit, so it gets less.
constexpr uint64_t kMaxReadFileBytes = sizeof(size_t) >= 8 ? (uint64_t(8) << 30) : (uint64_t(1) << 30);

Result<std::string> ReadFile(const std::string& path, FileError* error = nullptr,
                             uint64_t max_bytes = kMaxReadFileBytes);
// The same bytes, for binary decoders (images, .fks models).
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, FileError* error = nullptr,
                                           uint64_t max_bytes = kMaxReadFileBytes);

}  // namespace fk
