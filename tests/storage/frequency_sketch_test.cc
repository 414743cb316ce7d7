#include "storage/frequency_sketch.h"

#include <gtest/gtest.h>

#include "storage/key_hash.h"

namespace storage {
namespace {

uint64_t H(int i) { return KeyHash("k" + std::to_string(i) + ".com"); }

TEST(FrequencySketchTest, CountsEachKeyAndSaturates) {
  FrequencySketch s(1000);
  EXPECT_EQ(s.Estimate(H(1)), 0);
  for (int n = 1; n <= 5; ++n) {
    s.Increment(H(1));
    EXPECT_EQ(s.Estimate(H(1)), n);
  }
  for (int n = 0; n < 40; ++n) s.Increment(H(2));
  EXPECT_EQ(s.Estimate(H(2)), FrequencySketch::kMaxCount);
  EXPECT_EQ(s.Estimate(H(1)), 5);
}

TEST(FrequencySketchTest, NeverUndercountsAndRarelyOvercounts) {
  FrequencySketch s(1000);
  // 1000 keys seen once each, well within one sample.
  for (int i = 0; i < 1000; ++i) s.Increment(H(i));
  int exact = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_GE(s.Estimate(H(i)), 1);
    exact += s.Estimate(H(i)) == 1;
  }
  EXPECT_GT(exact, 900);
  int unseen_zero = 0;
  for (int i = 1000; i < 2000; ++i) unseen_zero += s.Estimate(H(i)) == 0;
  EXPECT_GT(unseen_zero, 900);
}

TEST(FrequencySketchTest, HalvesAfterASampleSoOldPopularityFades) {
  FrequencySketch s(64);
  for (int n = 0; n < 12; ++n) s.Increment(H(0));
  ASSERT_EQ(s.Estimate(H(0)), 12);
  ASSERT_EQ(s.halvings(), 0u);
  // Other keys fill the sample; H(0) is not seen again.
  for (size_t i = 1; s.halvings() == 0; ++i) s.Increment(H(static_cast<int>(i % 5000) + 1));
  EXPECT_LE(s.Estimate(H(0)), 7);
  EXPECT_GE(s.Estimate(H(0)), 6);
  s.Clear();
  EXPECT_EQ(s.Estimate(H(0)), 0);
}

}  // namespace
}  // namespace storage
