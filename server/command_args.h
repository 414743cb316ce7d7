// Small helpers command handlers share to read their arguments.
#pragma once

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/ascii.h"

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

}  // namespace server
