// Conservative limits for WHOIS servers that publish theirs (or are known to ban), and the
// default for every other host. The built-in limits are a fact of each host's profile
// (whois/hosts/host_profile.h: one row per host, matched by the host or its nearest parent);
// this parses them. Operator directives (`upstream-limit HOST ...`) replace a host's limits as a
// whole.
#pragma once

#include <optional>
#include <string_view>

#include "whois/limits/limit_spec.h"

namespace whois::limits {

// The built-in spec of `host` (lower case, no trailing dot): its profile's limits, or those of
// its nearest parent domain with a profile row; nullopt if that profile has none (or, which a
// test rules out, if they do not parse).
std::optional<LimitSpec> BuiltinLimitFor(std::string_view host);

// For hosts with neither a directive nor a built-in row: "concurrency 2 rate 1/s".
// Why: most registries that throttle allow at least one query a second per address; one a
// second is 86,400 a day, far more than a cache in front of WHOIS asks one server for, so the
// default costs little and keeps an unknown server from seeing a burst. Two connections let
// one slow answer not hold up the next query.
LimitSpec DefaultLimitSpec();
inline constexpr std::string_view kDefaultLimitDirective = "concurrency 2 rate 1/s";

}  // namespace whois::limits
