#include "whois/limits/sliding_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

TEST(SlidingWindow, AllowsExactlyLimitPerWindow) {
  SlidingWindow w(3, 1000);
  EXPECT_TRUE(w.Allows(0));
  w.Record(0);
  w.Record(10);
  w.Record(20);
  EXPECT_FALSE(w.Allows(20));
  EXPECT_FALSE(w.Allows(999));
  EXPECT_EQ(w.NextAllowedMs(500), 1000);
  EXPECT_TRUE(w.Allows(1000));  // the start at 0 is outside (0, 1000]
  w.Record(1000);
  EXPECT_EQ(w.NextAllowedMs(1000), 1010);
  EXPECT_EQ(w.CountAt(1000), 3);
}

TEST(SlidingWindow, AssumeFullAtBlocksOneWindow) {
  SlidingWindow w(5, 1000);
  w.AssumeFullAt(50'000);
  EXPECT_FALSE(w.Allows(50'999));
  EXPECT_EQ(w.NextAllowedMs(50'000), 51'000);
  EXPECT_TRUE(w.Allows(51'000));
}

TEST(SlidingWindow, HistoryCarriesIntoNewLimits) {
  SlidingWindow old(10, 1000);
  for (int64_t t : {0, 100, 200, 300}) old.Record(t);
  SlidingWindow lowered(2, 1000, old);  // lowered mid-window: the window in progress is full
  EXPECT_FALSE(lowered.Allows(400));
  EXPECT_EQ(lowered.NextAllowedMs(400), 1200);
  SlidingWindow longer(4, 10'000, old);
  EXPECT_EQ(longer.NextAllowedMs(400), 10'000);

  SlidingWindow small(2, 1000);
  for (int64_t t : {0, 500, 900}) small.Record(t);  // forgot the start at 0
  SlidingWindow raised(4, 1000, small);             // pads with 500, the oldest kept
  EXPECT_EQ(raised.CountAt(950), 4);
  EXPECT_EQ(raised.NextAllowedMs(950), 1500);
}

TEST(SlidingWindow, ExactUnderAdversarialArrivals) {
  std::mt19937_64 rng(12345);
  struct Limit {
    int64_t n, window_ms;
  };
  for (Limit limit :
       {Limit{5, 1000}, Limit{15, 60'000}, Limit{1800, 900'000}, Limit{100, 3'600'000}}) {
    SlidingWindow w(limit.n, limit.window_ms);
    std::vector<int64_t> starts;
    int64_t t = 0;
    const int64_t horizon = 6 * 3'600'000;
    // Saturating, bursty arrivals 0-20 ms apart (several at one millisecond, many exactly on a
    // window edge).
    std::uniform_int_distribution<int64_t> gap(0, 20);
    while (t < horizon) {
      t += gap(rng);
      if (w.Allows(t)) {
        w.Record(t);
        starts.push_back(t);
      }
    }
    EXPECT_LE(MaxInAnyWindow(starts, limit.window_ms), limit.n) << limit.n;
    const double max_possible = static_cast<double>(limit.n) * horizon / limit.window_ms;
    EXPECT_GE(static_cast<double>(starts.size()), 0.95 * max_possible) << limit.n;
  }
}

}  // namespace
}  // namespace whois::limits
