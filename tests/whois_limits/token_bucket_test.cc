#include "whois/limits/token_bucket.h"

#include <gtest/gtest.h>

namespace whois::limits {
namespace {

TEST(TokenBucket, BurstThenRefill) {
  TokenBucket b(/*capacity=*/10, /*refill_count=*/5, /*refill_window_ms=*/1000, /*now=*/0);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.Allows(0)) << i;
    b.Take(0);
  }
  EXPECT_FALSE(b.Allows(0));
  EXPECT_EQ(b.NextAllowedMs(0), 200);  // 5 per second: one every 200 ms
  EXPECT_FALSE(b.Allows(199));
  EXPECT_TRUE(b.Allows(200));
  EXPECT_EQ(b.TokensAt(1000), 5);
  EXPECT_EQ(b.TokensAt(100'000), 10);  // never above capacity
}

TEST(TokenBucket, ExactRefillWithoutDrift) {
  TokenBucket b(10, 3, 1000, 0);  // 3 per second: 333.33 ms apart
  for (int i = 0; i < 10; ++i) b.Take(0);
  int64_t t = 0;
  for (int i = 0; i < 300; ++i) {
    t = b.NextAllowedMs(t);
    b.Take(t);
  }
  EXPECT_EQ(t, 100'000);  // 300 tokens at 3/s take exactly 100 s
}

TEST(TokenBucket, EmptyAndRescale) {
  TokenBucket b(10, 1, 1000, 0);
  b.AssumeEmptyAt(5000);
  EXPECT_EQ(b.TokensAt(5000), 0);
  EXPECT_EQ(b.NextAllowedMs(5000), 6000);
  TokenBucket full(10, 1, 1000, 0);
  TokenBucket lowered(3, 1, 1000, 0, full);
  EXPECT_EQ(lowered.TokensAt(0), 3);
}

}  // namespace
}  // namespace whois::limits
