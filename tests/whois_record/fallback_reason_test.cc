#include "whois/record/fallback_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace whois {
namespace {

// The names are the JSON's `reason` values: clients match on them, so they never change.
TEST(FallbackReason, NamesAreTheJsonValues) {
  EXPECT_EQ(FallbackReasonName(FallbackReason::kRefused), "refused");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kRateLimited), "rate_limited");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kDailyLimit), "daily_limit");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kQueueFull), "queue_full");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kTimeout), "timeout");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kUnreachable), "unreachable");
  EXPECT_EQ(FallbackReasonName(FallbackReason::kNoServer), "no_server");
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
