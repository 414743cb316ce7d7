// Reply: one Redis reply, copied out of hiredis's reply tree so that the pure parts of the fleet
// client (slot map, redirects) can be tested without a connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"

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

// OK, or IOError("Redis: <its message>") when Redis answered `reply` with an error.
inline Status ErrorOf(const Reply& reply) {
  return reply.is_error() ? Status::IOError("Redis: " + reply.str) : Status::OK();
}

}  // namespace storage::fleet
