// Reply: one Redis reply, copied out of hiredis's reply tree so that the pure parts of the fleet
// client (slot map, redirects) can be tested without a connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace storage::fleet {

struct Reply {
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kStatus, kError, kString
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

}  // namespace storage::fleet
