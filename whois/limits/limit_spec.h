// What an operator (or the built-in table) says about one upstream WHOIS host: how many
// connections may be open at once, how many may start in each window of time, whether the host
// behaves like a token bucket, and how many queries a day it accepts. The directive form is
//
//   upstream-limit HOST [concurrency N] [rate N/<unit>]... [burst N] [daily N] [daily-reset R]
//                       [scope address|network [/V4] [/V6]|all]
//
// where <unit> is s, m, h or d, optionally preceded by a number ("rate 1800/15m"); `rate` may be
// repeated, and every window must hold at once. `burst N` turns the FIRST rate into a token
// bucket of capacity N that refills at that rate; further rates stay exact sliding windows.
// `daily-reset` is `rolling` (the default: any 24 h) or `utc` (calendar days in UTC).
// `scope` says how the registry counts when the proxy has several source addresses
// (`upstream-source-address`): `address` (the default) gives every source address the whole
// limit; `network` lets addresses in one IPv4 /24 and one IPv6 /48 (or the prefixes given: the
// first /N is IPv4's, the second IPv6's) share one; `all` keeps one for the whole proxy.
// Concurrency, rates, burst and the daily cap all apply per such budget.
// The same keys follow `default-upstream-limit`. ParseLimitSpec takes the words after HOST.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace whois::limits {

inline constexpr int64_t kMsPerDay = 24ll * 60 * 60 * 1000;

// Bounds that keep the per-host state small (a sliding window keeps its last `count` starts).
inline constexpr int64_t kMaxConcurrency = 1000;
inline constexpr int64_t kMaxRateCount = 100000;
inline constexpr int64_t kMaxDaily = 100000000;
inline constexpr size_t kMaxRates = 8;

// At most `count` connection starts in any window of `window_ms` (0 < window_ms <= 1 day).
// A server counts our starts by when they reach it, and that time wanders by network and
// scheduling jitter (milliseconds on loopback, more across the Internet): two starts exactly one
// window apart by our clock can land inside one window by the server's. Each window is therefore
// enforced a little longer than the limit says: 2.5% of it, at least 10 ms and at most 250 ms,
// which keeps over 97% of the allowed rate usable.
inline int64_t JitterMarginMs(int64_t window_ms) {
  return window_ms / 40 < 10 ? 10 : window_ms / 40 > 250 ? 250 : window_ms / 40;
}

struct RateLimit {
  int64_t count = 0;
  int64_t window_ms = 0;
  bool operator==(const RateLimit&) const = default;
};

enum class DayKind {
  kRolling24h,  // no 24 h interval ever holds more than `daily` starts
  kUtcDay,      // no calendar day (00:00-24:00 UTC) holds more than `daily` starts
};

// How the registry groups client addresses when it counts.
enum class ScopeKind : uint8_t { kAddress, kNetwork, kAll };
inline constexpr int kDefaultV4Prefix = 24;
inline constexpr int kDefaultV6Prefix = 48;

struct LimitScope {
  ScopeKind kind = ScopeKind::kAddress;
  int v4_prefix = kDefaultV4Prefix;  // with kNetwork: 1 to 32
  int v6_prefix = kDefaultV6Prefix;  // with kNetwork: 1 to 128
  bool operator==(const LimitScope&) const = default;
};

struct LimitSpec {
  int64_t concurrency = 0;       // open connections at once; 0: no limit
  std::vector<RateLimit> rates;  // all must hold; rates[0] is a token bucket if burst > 0
  int64_t burst = 0;             // 0: no token bucket
  int64_t daily = 0;             // 0: no daily cap
  DayKind day = DayKind::kRolling24h;
  LimitScope scope;  // which source addresses share one budget of all the above
  bool operator==(const LimitSpec&) const = default;
};

// Parses the keys of a directive. On error returns InvalidArgument with a message that names the
// offending word and shows the expected form, e.g. "rate '5/x': unit must be s, m, h or d (e.g.
// 5/s, 1800/15m)". An empty list is an error: a host is never configured to be unlimited by
// accident.
util::StatusOr<LimitSpec> ParseLimitSpec(const std::vector<std::string>& words);

// The canonical directive keys for `spec` ("concurrency 2 rate 5/s rate 1000/d"; a scope other
// than `address` last, with both prefixes: "scope network /24 /48"), which
// ParseLimitSpec parses back to an equal spec. Used for CONFIG GET and INFO.
std::string FormatLimitSpec(const LimitSpec& spec);

// "address", "network /24 /48", "all": the `scope` value.
std::string FormatScope(const LimitScope& scope);

// "5/s", "1800/15m", "100/h": the `rate` value for one window.
std::string FormatRate(const RateLimit& rate);

// Short human duration for messages, rounded up to whole seconds: "0s", "45s", "3m20s",
// "3h12m" (seconds dropped once hours appear), "2d4h".
std::string FormatDuration(int64_t ms);

}  // namespace whois::limits
