#include "whois/record/fallback_reason.h"

namespace whois {

std::string_view FallbackReasonName(FallbackReason reason) {
  switch (reason) {
    case FallbackReason::kRefused:
      return "refused";
    case FallbackReason::kRateLimited:
      return "rate_limited";
    case FallbackReason::kDailyLimit:
      return "daily_limit";
    case FallbackReason::kQueueFull:
      return "queue_full";
    case FallbackReason::kTimeout:
      return "timeout";
    case FallbackReason::kUnreachable:
      return "unreachable";
    case FallbackReason::kNoServer:
      return "no_server";
  }
  return "unreachable";
}

std::optional<FallbackReason> FallbackReasonFromName(std::string_view name) {
  for (FallbackReason r : kAllFallbackReasons)
    if (FallbackReasonName(r) == name) return r;
  return std::nullopt;
}

bool IsOwnLimit(FallbackReason reason) {
  return reason == FallbackReason::kRateLimited || reason == FallbackReason::kDailyLimit ||
         reason == FallbackReason::kQueueFull;
}

}  // namespace whois
