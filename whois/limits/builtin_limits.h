// Conservative limits for WHOIS servers that publish theirs (or are known to ban), and the
// default for every other host. One row per host; a new server is one more row. Operator
// directives (`upstream-limit HOST ...`) replace a row as a whole.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "whois/limits/limit_spec.h"

namespace whois::limits {

struct BuiltinLimit {
  std::string_view host;    // lower case, no trailing dot
  std::string_view spec;    // directive keys, parsed with ParseLimitSpec; `scope` where the
                            // registry publishes how it counts
  std::string_view source;  // where the numbers come from
};

// The whole table, in a fixed order. Every row's spec parses (tested).
std::span<const BuiltinLimit> BuiltinLimits();

// The built-in spec for `host` (lower case, no trailing dot), or nullopt if it has none.
std::optional<LimitSpec> BuiltinLimitFor(std::string_view host);

// For hosts with neither a directive nor a built-in row: "concurrency 2 rate 1/s".
// Why: most registries that throttle allow at least one query a second per address; one a
// second is 86,400 a day, far more than a cache in front of WHOIS asks one server for, so the
// default costs little and keeps an unknown server from seeing a burst. Two connections let
// one slow answer not hold up the next query.
LimitSpec DefaultLimitSpec();
inline constexpr std::string_view kDefaultLimitDirective = "concurrency 2 rate 1/s";

}  // namespace whois::limits
