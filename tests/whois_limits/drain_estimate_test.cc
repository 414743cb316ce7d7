#include "whois/limits/drain_estimate.h"

#include <gtest/gtest.h>

namespace whois::limits {
namespace {

LimitSpec Spec(std::vector<RateLimit> rates, int64_t daily = 0) {
  LimitSpec s;
  s.rates = std::move(rates);
  s.daily = daily;
  return s;
}

TEST(DrainEstimateTest, TheSlowestLimitDecides) {
  BackOff full;
  // 5 per second, each window enforced 25 ms longer: 100 starts take 20 windows of 1.025 s.
  EXPECT_EQ(DrainEstimateMs(Spec({{5, 1000}}), full, 100), 20500);
  // 1800 per 15 minutes is slower than 5/s for a long queue.
  EXPECT_EQ(DrainEstimateMs(Spec({{5, 1000}, {1800, 900000}}), full, 3600), 2 * (900000 + 250));
  // A daily cap of 1000: 2000 starts take two days, whatever the per-second rate.
  EXPECT_EQ(DrainEstimateMs(Spec({{5, 1000}}, 1000), full, 2000), 2 * kMsPerDay);
  EXPECT_EQ(DrainEstimateMs(Spec({{5, 1000}}), full, 0), 0);
}

TEST(DrainEstimateTest, NoRateAndNoDailyCapMeansNoEstimate) {
  BackOff full;
  LimitSpec concurrency_only;
  concurrency_only.concurrency = 4;
  EXPECT_EQ(DrainEstimateMs(concurrency_only, full, 100), std::nullopt);
}

TEST(DrainEstimateTest, ALoweredRateAfterRefusalsSlowsTheEstimate) {
  BackOff lowered;
  lowered.OnOutcome(Outcome::kRefused, 0, std::nullopt);  // a strike halves the rate
  ASSERT_EQ(lowered.rate_permille(), 500);
  EXPECT_EQ(DrainEstimateMs(Spec({{10, 1000}}), lowered, 100), 20 * 1025);
}

}  // namespace
}  // namespace whois::limits
