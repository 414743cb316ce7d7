#include "storage/status.h"

namespace storage {

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "not found: " + msg_;
    case Code::kInvalidArgument:
      return "invalid argument: " + msg_;
    case Code::kIOError:
      return "IO error: " + msg_;
    case Code::kCorruption:
      return "corruption: " + msg_;
  }
  return msg_;
}

}  // namespace storage
