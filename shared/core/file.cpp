#include "core/file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/strings.h"

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

Status LineReader::Open(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Error(path + ": cannot open (a directory)");
  in_.open(path, std::ios::binary | std::ios::ate);
  if (!in_) return Status::Error(path + ": cannot open");
  size_ = uint64_t(in_.tellg());
  in_.seekg(0);
  // A UTF-8 byte-order mark (Excel and Notepad write one) is not part of the first line: left in, a CSV's
  // first column name or a JSON Lines file's first record would not parse.
  char bom[3] = {};
  if (size_ >= 3 && in_.read(bom, 3) && std::string_view(bom, 3) == kUtf8Bom) {
    consumed_ = 3;
  } else {
    in_.clear();
    in_.seekg(0);
  }
  // Chunks of 1 MB, but no more than the file needs (a small import, or every
  // reader of a multi-file data set, would otherwise zero a megabyte each).
  buf_.resize(size_t(std::clamp<uint64_t>(size_, 4096, uint64_t(1) << 20)));
  return Status::Ok();
}

bool LineReader::Read(size_t max_lines, const std::function<bool(std::string_view)>& fn) {
  if (done_) return false;
  for (size_t lines = 0; lines < max_lines;) {
    if (pos_ == len_) {
      in_.read(buf_.data(), std::streamsize(buf_.size()));
      len_ = size_t(in_.gcount());
      pos_ = 0;
      if (len_ == 0) {  // end of file: the last line may have no newline
        done_ = true;
        consumed_ = size_;
        if (carry_.empty()) return false;
        std::string_view l(carry_);
        if (l.back() == '\r') l.remove_suffix(1);
        fn(l);
        carry_.clear();
        return false;
      }
    }
    const char* start = buf_.data() + pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
    if (!nl) {  // no newline in the rest of the chunk: keep it for the next one
      carry_.append(start, len_ - pos_);
      consumed_ += len_ - pos_;
      pos_ = len_;
      continue;
    }
    std::string_view piece(start, size_t(nl - start));
    consumed_ += piece.size() + 1;
    pos_ += piece.size() + 1;
    bool go;
    if (!carry_.empty()) {
      carry_.append(piece);
      std::string_view l(carry_);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      go = fn(l);
      carry_.clear();
    } else {
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      go = fn(piece);
    }
    lines++;
    if (!go) {
      done_ = true;
      return false;
    }
  }
  return true;
}

Status ForEachLine(const std::string& path, const std::function<bool(std::string_view)>& fn) {
  LineReader r;
  if (Status st = r.Open(path); !st) return st;
  while (r.Read(size_t(1) << 20, fn)) {
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::Error(path + ": cannot create directory (" + ec.message() + ")");
  return Status::Ok();
}

Result<std::vector<DirEntry>> ListDir(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::Error(path + ": cannot open (no such folder)");
  if (!fs::is_directory(path, ec)) return Status::Error(path + ": not a folder");
  std::vector<DirEntry> out;
  fs::directory_iterator it(path, ec), end;
  if (ec) return Status::Error(path + ": cannot list (" + ec.message() + ")");
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    std::error_code ec2;
    out.push_back({it->path().filename().string(), it->is_directory(ec2)});
  }
  if (ec) return Status::Error(path + ": cannot list (" + ec.message() + ")");
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace fk
