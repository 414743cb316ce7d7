// Status: the outcome of a storage operation, as a value. OK carries no message; every error
// carries a message written for the person who reads the log ("the database directory X is in
// use by another process"), not a code to look up. This is the storage module's own type: LevelDB
// statuses are converted at the boundary so callers never include LevelDB headers.
#pragma once

#include <string>
#include <utility>

namespace storage {

class Status {
 public:
  // A default-constructed Status is OK.
  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }

  // The message alone (empty for OK).
  const std::string& message() const { return msg_; }
  // "OK", or the kind of error followed by the message, e.g. "IO error: disk full".
  std::string ToString() const;

 private:
  enum class Code { kOk, kNotFound, kInvalidArgument, kIOError, kCorruption };

  Status(Code code, std::string msg) : code_(code), msg_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string msg_;
};

}  // namespace storage
