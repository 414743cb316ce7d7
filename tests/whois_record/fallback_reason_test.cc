#include "whois/record/fallback_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace whois {
namespace {

// The names are the JSON's `reason` values: clients match on them, so they never change. Every
// reason's, in the order of kAllFallbackReasons.
TEST(FallbackReason, NamesAreTheJsonValues) {
  std::vector<std::string_view> names;
  for (FallbackReason r : kAllFallbackReasons) names.push_back(FallbackReasonName(r));
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"refused", "rate_limited", "daily_limit", "queue_full",
                                           "timeout", "unreachable", "no_server"}));
}

TEST(FallbackReason, EveryNameReadsBackAndIsDistinct) {
  std::set<std::string> seen;
  for (FallbackReason r : kAllFallbackReasons) {
    std::string name(FallbackReasonName(r));
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(FallbackReasonFromName(name), r) << name;
  }
}

TEST(FallbackReason, OtherNamesAreNone) {
  EXPECT_EQ(FallbackReasonFromName(""), std::nullopt);
  EXPECT_EQ(FallbackReasonFromName("Timeout"), std::nullopt);
  EXPECT_EQ(FallbackReasonFromName("timed_out"), std::nullopt);
}

TEST(FallbackReason, OwnLimitsAreTheThreeLimitReasons) {
  EXPECT_TRUE(IsOwnLimit(FallbackReason::kRateLimited));
  EXPECT_TRUE(IsOwnLimit(FallbackReason::kDailyLimit));
  EXPECT_TRUE(IsOwnLimit(FallbackReason::kQueueFull));
  EXPECT_FALSE(IsOwnLimit(FallbackReason::kRefused));
  EXPECT_FALSE(IsOwnLimit(FallbackReason::kTimeout));
  EXPECT_FALSE(IsOwnLimit(FallbackReason::kUnreachable));
  EXPECT_FALSE(IsOwnLimit(FallbackReason::kNoServer));
}

}  // namespace
}  // namespace whois
