// Status and StatusOr<T>: the project's one way to say that an operation failed, as a value.
//
// Contract:
// - A Status is OK or an error. OK carries no message; every error carries a message written for
//   the operator who reads it ("the database directory X is in use by another process"), never a
//   code to look up. Callers that show an error show message() exactly as it was built (operators
//   and tests match on those texts); ToString() adds the kind in front, for logs.
// - The code is small on purpose: it says what a caller may do about the error (retry later, give
//   up on this key, report a bad input), not where it came from. Add a code only when a caller
//   branches on it.
// - StatusOr<T> holds a T or a non-OK Status, never both. Ask ok() (or status()) before value():
//   reading the value of an error is a programming error (asserted in debug builds).
// - Both types are [[nodiscard]]: an ignored error is a bug. Neither converts to bool; ask ok().
// - Plain values: copyable, movable, no shared state, safe to pass between threads.
#ifndef WP_UTIL_STATUS_H_
#define WP_UTIL_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace util {

enum class StatusCode {
  kOk,
  kNotFound,         // the thing asked for does not exist
  kInvalidArgument,  // the input is wrong; asking again with the same input fails again
  kIOError,          // the disk or the network failed underneath
  kCorruption,       // stored or received bytes do not decode
  kUnavailable,      // not possible now (a limit, a peer down); may succeed later
};

// The one name table of StatusCode: "OK", "not found", "invalid argument", "IO error",
// "corruption", "unavailable".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // A default-constructed Status is OK.
  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }

  // The message alone, exactly as built (empty for OK).
  const std::string& message() const { return msg_; }
  // "OK", or the kind of error followed by the message, e.g. "IO error: disk full".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Status(StatusCode code, std::string msg) : code_(code), msg_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string msg_;
};

template <typename T>
class [[nodiscard]] StatusOr {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Status>, "StatusOr<Status> means nothing");

 public:
  // A value.
  StatusOr(const T& value) : value_(value) {}        // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // Any type T can be built from, so `return "text";` works for StatusOr<std::string>.
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, Status> &&
           !std::is_same_v<std::remove_cvref_t<U>, StatusOr>) StatusOr(U&& value)
      : value_(std::in_place, std::forward<U>(value)) {}  // NOLINT
  // An error. An OK status carries no value, so it is a programming error here; it becomes an
  // InvalidArgument error saying so rather than a StatusOr that is ok() without a value.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "StatusOr built from an OK Status");
    if (status_.ok()) status_ = Status::InvalidArgument("StatusOr built from an OK Status");
  }

  bool ok() const { return status_.ok(); }
  // OK when there is a value.
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // The value; only when ok().
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` on an error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace util

#endif  // WP_UTIL_STATUS_H_
