// The figures bench-gets prints are only as good as its histogram and its key distributions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/zipf.h"

namespace {

TEST(LatencyHistogram, PercentilesAreWithinOnePercentOfTheExactOnes) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(12.0, 1.5);  // ~160 us median, a long tail
  std::vector<uint64_t> values;
  bench::LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = static_cast<double>(values[static_cast<size_t>(q * values.size()) - 1]);
    double got = static_cast<double>(h.Percentile(q));
    EXPECT_GE(got, exact * 0.999) << q;
    EXPECT_LE(got, exact * 1.01) << q;
  }
  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.Percentile(1.0), values.back());
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  bench::LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 50u);
  EXPECT_EQ(h.Percentile(0.99), 99u);
}

TEST(ZipfSampler, FrequenciesFollowTheLaw) {
  const uint64_t n = 1000;
  const double s = 0.99;
  double norm = 0;
  for (uint64_t k = 1; k <= n; ++k) norm += 1.0 / std::pow(static_cast<double>(k), s);
  bench::ZipfSampler zipf(n, s);
  std::mt19937_64 rng(3);
  std::vector<int> counts(n + 1);
  const int draws = 1000000;
  for (int i = 0; i < draws; ++i) {
    uint64_t k = zipf(rng);
    ASSERT_GE(k, 1u);
    ASSERT_LE(k, n);
    ++counts[k];
  }
  for (uint64_t k : {1, 2, 10, 100}) {
    double expected = draws / std::pow(static_cast<double>(k), s) / norm;
    EXPECT_NEAR(counts[k], expected, 5 * std::sqrt(expected)) << "rank " << k;
  }
}

TEST(RankScatter, IsABijection) {
  for (uint64_t n : {1u, 2u, 10u, 1000u, 4096u}) {
    bench::RankScatter scatter(n);
    std::set<uint64_t> seen;
    for (uint64_t r = 0; r < n; ++r) seen.insert(scatter(r));
    EXPECT_EQ(seen.size(), n);
    EXPECT_LT(*seen.rbegin(), n);
  }
}

}  // namespace
