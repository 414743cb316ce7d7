// Small helpers command handlers share to read their arguments and to report errors.
#pragma once

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "resp/reply_writer.h"
#include "util/ascii.h"
#include "util/status.h"

namespace server {

// ASCII case-insensitive equality, as Redis compares option names ("EX", "MATCH", "default").
using util::EqualsIgnoreCase;

// A whole argument as a signed 64-bit integer; nullopt for anything else (Redis's
// "value is not an integer or out of range").
inline std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The error reply for a failed call: Redis's generic "ERR " code and the Status's message, which
// the services write for the client (server/record_service.h).
inline std::string ErrorReplyFor(const util::Status& status) {
  return resp::ErrorReply("ERR " + status.message());
}

}  // namespace server
