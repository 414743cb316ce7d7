#include "whois/record/fallback_reason.h"

#include "util/enum_names.h"

namespace whois {
namespace {

constexpr util::EnumNames<FallbackReason::kNoServer> kNames({"refused", "rate_limited",
                                                             "daily_limit", "queue_full", "timeout",
                                                             "unreachable", "no_server"},
                                                            "unreachable");

}  // namespace

std::string_view FallbackReasonName(FallbackReason reason) { return kNames.Name(reason); }

std::optional<FallbackReason> FallbackReasonFromName(std::string_view name) {
  return kNames.FromName(name);
}

bool IsOwnLimit(FallbackReason reason) {
  return reason == FallbackReason::kRateLimited || reason == FallbackReason::kDailyLimit ||
         reason == FallbackReason::kQueueFull;
}

}  // namespace whois
