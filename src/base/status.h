// Status and Result<T>: errors as values on every storage and service path.
//
// A Status is either OK or carries an ErrorCode plus a human-readable message.
// Result<T> holds a value or a non-OK Status. No function of ours throws;
// exceptions from libraries are caught at the HTTP handler and in main.
#ifndef CONNECTIVITY_BASE_STATUS_H_
#define CONNECTIVITY_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace connectivity {

enum class ErrorCode {
  kOk = 0,
  kNotFound,
  kCorruption,
  kIOError,
  kInvalidArgument,
  kConflict,      // optimistic concurrency: expected revision did not match
  kUnavailable,   // the journal refuses writes after a failed write or fsync
  kBusy,          // e.g. the data directory is locked by another process
  kNoSpace,       // the free-space guard refused a write: nothing was written
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {ErrorCode::kIOError, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Busy(std::string m) { return {ErrorCode::kBusy, std::move(m)}; }
  static Status NoSpace(std::string m) { return {ErrorCode::kNoSpace, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == ErrorCode::kNotFound; }
  bool IsCorruption() const { return code_ == ErrorCode::kCorruption; }
  bool IsConflict() const { return code_ == ErrorCode::kConflict; }
  bool IsUnavailable() const { return code_ == ErrorCode::kUnavailable; }
  bool IsNoSpace() const { return code_ == ErrorCode::kNoSpace; }
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

#define CONNECTIVITY_RETURN_IF_ERROR(expr)        \
  do {                                            \
    ::connectivity::Status status_ = (expr);      \
    if (!status_.ok()) return status_;            \
  } while (0)

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_STATUS_H_
