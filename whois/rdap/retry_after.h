// The HTTP Retry-After header (RFC 9110 §10.2.3), which RDAP servers send with 429 (RFC 7480
// §5.5) and 503. Pure: the current time is a parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace whois::rdap {

// Longest wait believed; a server asking for more is capped to this (a day).
inline constexpr int64_t kMaxRetryAfterSeconds = 86400;

// Seconds to wait, from a delta ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and
// the obsolete RFC 850 and asctime forms), relative to `now_unix_s`. A date in the past gives 0;
// values are capped at kMaxRetryAfterSeconds. Nullopt for anything else.
std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix_s);

// Unix seconds of an HTTP-date in any of the three forms of RFC 9110 §5.6.7, or nullopt.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace whois::rdap
