// Why a fallback record carries no fresh data: the `reason` field of a fallback record (see
// record.h). The names below are the public interface (clients and INFO's fallback counters match
// on them); this file's table is the only place that spells them.
#ifndef WP_WHOIS_RECORD_FALLBACK_REASON_H_
#define WP_WHOIS_RECORD_FALLBACK_REASON_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace whois {

enum class FallbackReason : uint8_t {
  kRefused,      // "refused": the server said no
  kRateLimited,  // "rate_limited": our per-second/minute cap for the host
  kDailyLimit,   // "daily_limit": the host's daily quota is used up
  kQueueFull,    // "queue_full": our own queue for the host is full
  kTimeout,      // "timeout": no answer in time
  kUnreachable,  // "unreachable": connecting failed
  kNoServer,     // "no_server": no WHOIS/RDAP server is known for the name
};

// Every reason, in the order above (for validation messages and tests).
inline constexpr std::array<FallbackReason, 7> kAllFallbackReasons = {
    FallbackReason::kRefused,   FallbackReason::kRateLimited, FallbackReason::kDailyLimit,
    FallbackReason::kQueueFull, FallbackReason::kTimeout,     FallbackReason::kUnreachable,
    FallbackReason::kNoServer};

// The JSON spelling of `reason`.
std::string_view FallbackReasonName(FallbackReason reason);
// The reason a JSON spelling names; std::nullopt for anything else (case-sensitive).
std::optional<FallbackReason> FallbackReasonFromName(std::string_view name);

// A limit of ours that refused to start a query (rate_limited, daily_limit, queue_full): nothing
// was asked upstream.
bool IsOwnLimit(FallbackReason reason);

}  // namespace whois

#endif  // WP_WHOIS_RECORD_FALLBACK_REASON_H_
