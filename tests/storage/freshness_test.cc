#include "storage/freshness.h"

#include <gtest/gtest.h>

#include <set>

namespace storage {
namespace {

FreshnessPolicy Policy() {
  FreshnessPolicy p;
  p.ttl_registered_ms = 1000000;
  p.ttl_not_found_ms = 50000;
  p.ttl_fallback_ms = 0;
  return p;
}

TEST(FreshnessTest, JitterIsBoundedPerStatus) {
  FreshnessPolicy p = Policy();
  for (int i = 0; i < 5000; ++i) {
    std::string d = "domain" + std::to_string(i) + ".com";
    int64_t reg = p.StaleAt(RecordStatus::kRegistered, 1000, d);
    EXPECT_GE(reg, 1000 + 1000000);
    EXPECT_LE(reg, 1000 + 1000000 + 100000);
    int64_t nf = p.StaleAt(RecordStatus::kNotFound, 1000, d);
    EXPECT_GE(nf, 1000 + 50000);
    EXPECT_LE(nf, 1000 + 50000 + 5000);
    EXPECT_EQ(p.StaleAt(RecordStatus::kFallback, 1000, d), 1000);  // 0 TTL: no jitter
  }
}

TEST(FreshnessTest, DeterministicAndRelativeToFetchTime) {
  FreshnessPolicy p = Policy();
  int64_t a = p.StaleAt(RecordStatus::kRegistered, 5000, "example.com");
  EXPECT_EQ(a, p.StaleAt(RecordStatus::kRegistered, 5000, "example.com"));
  EXPECT_EQ(a + 777, p.StaleAt(RecordStatus::kRegistered, 5777, "example.com"));
}

TEST(FreshnessTest, SpreadsABulkImport) {
  FreshnessPolicy p = Policy();
  std::set<int64_t> distinct;
  for (int i = 0; i < 1000; ++i)
    distinct.insert(p.StaleAt(RecordStatus::kRegistered, 0, "d" + std::to_string(i) + ".net"));
  EXPECT_GT(distinct.size(), 900u);
}

TEST(FreshnessTest, NegativeTtlCountsAsZero) {
  FreshnessPolicy p = Policy();
  p.ttl_not_found_ms = -10;
  EXPECT_EQ(p.StaleAt(RecordStatus::kNotFound, 42, "x.com"), 42);
}

}  // namespace
}  // namespace storage
