#include "core/file.h"

#include <sys/stat.h>

#include <cstdio>

namespace fk {

namespace {

Status Fail(FileError kind, FileError* error, std::string message) {
  if (error) *error = kind;
  return Status::Error(std::move(message));
}

// One reader for both containers. The size from fstat is only a first guess:
// pipes and /proc files report 0 and a file may change while we read, so the
// rest is read to EOF in chunks, with max_bytes enforced there too.
template <typename Bytes>
Result<Bytes> ReadInto(const std::string& path, FileError* error, uint64_t max_bytes) {
  if (error) *error = FileError::kNone;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Fail(FileError::kCannotOpen, error, path + ": cannot open");
  struct stat st {};
  const bool have_stat = fstat(fileno(f), &st) == 0;
  // fopen succeeds on a directory on Linux; fread then fails with EISDIR.
  if (have_stat && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    return Fail(FileError::kIsDirectory, error, path + ": cannot open (a directory)");
  }
  auto too_large = [&](uint64_t n) {
    return Fail(FileError::kTooLarge, error,
                path + ": too large to read whole (" + std::to_string(n) + " bytes; the limit is " +
                    std::to_string(max_bytes) + ")");
  };
  if (have_stat && st.st_size > 0 && uint64_t(st.st_size) > max_bytes) {
    std::fclose(f);
    return too_large(uint64_t(st.st_size));
  }
  Bytes out;
  size_t got;
  if (have_stat && st.st_size > 0) {  // the common case: one read straight into the result
    out.resize(size_t(st.st_size));
    got = std::fread(&out[0], 1, out.size(), f);
    out.resize(got);
  }
  char buf[1 << 16];
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (out.size() + got > max_bytes) {
      std::fclose(f);
      return too_large(out.size() + got);
    }
    out.insert(out.end(), buf, buf + got);
  }
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) return Fail(FileError::kReadError, error, path + ": read error");
  return out;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, FileError* error, uint64_t max_bytes) {
  return ReadInto<std::string>(path, error, max_bytes);
}

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, FileError* error, uint64_t max_bytes) {
  return ReadInto<std::vector<uint8_t>>(path, error, max_bytes);
}

}  // namespace fk
