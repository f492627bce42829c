// Status and Result<T>: how every core function reports failure.
// A failed Status carries one human sentence naming the file, line and field
// where possible ("model.fks: truncated at byte 812 (layer 3 values)").
//
//   fk::Result<Model> r = LoadModel(path);
//   if (!r) { std::fprintf(stderr, "%s\n", r.status().message().c_str()); return 1; }
//   Model m = std::move(*r);
#pragma once
#include <optional>
#include <string>
#include <utility>

namespace fk {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), false); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return message_; }

 private:
  Status(std::string m, bool ok) : ok_(ok), message_(std::move(m)) {}
  bool ok_ = true;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}             // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {}     // NOLINT
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& value() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace fk
