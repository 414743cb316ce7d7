#include "whois/limits/daily_quota.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

constexpr int64_t kLife = DailyQuota::kBlockLifetimeMs;

// Reserves (storing nothing) and confirms a block if one is wanted; true if one was granted.
bool ReserveAndConfirm(DailyQuota& q, int64_t now, int64_t wanted, std::string* stored = nullptr) {
  auto request = q.MaybeReserve(now, wanted);
  if (!request) return false;
  if (stored) *stored = request->encoded;
  EXPECT_TRUE(q.OnReserved(request->block, now));
  return true;
}

TEST(DailyQuota, NothingUsableBeforeConfirmation) {
  DailyQuota q(1000, DayKind::kRolling24h);
  EXPECT_FALSE(q.TryConsume(kT0));
  auto request = q.MaybeReserve(kT0, 1);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->block, (QuotaBlock{kT0, 50}));
  EXPECT_EQ(request->encoded, "v1;1700000000000:50");
  EXPECT_FALSE(q.TryConsume(kT0));             // pending, not yet stored
  EXPECT_FALSE(q.MaybeReserve(kT0, 1));        // one request at a time
  EXPECT_EQ(q.EarliestUnitsMs(50, kT0), kT0);  // but it is on its way
  EXPECT_TRUE(q.OnReserved(request->block, kT0 + 5));
  EXPECT_TRUE(q.TryConsume(kT0 + 5));
  EXPECT_EQ(q.UsableAt(kT0 + 5), 49);
}

TEST(DailyQuota, ReservesAheadAtLowWater) {
  DailyQuota q(1000, DayKind::kRolling24h);
  ASSERT_TRUE(ReserveAndConfirm(q, kT0, 1));
  for (int i = 0; i < 37; ++i) ASSERT_TRUE(q.TryConsume(kT0 + i));
  EXPECT_FALSE(q.MaybeReserve(kT0 + 40, 0));  // 13 left, above the mark
  ASSERT_TRUE(q.TryConsume(kT0 + 41));
  auto request = q.MaybeReserve(kT0 + 42, 0);  // 12 left: ask now, before running out
  ASSERT_TRUE(request);
  // The open block is stored with its full count: its remaining units may still be used.
  EXPECT_EQ(request->encoded, "v1;1700000000000:50;1700000000042:50");
}

TEST(DailyQuota, NeverMoreThanCapInAnyRollingDay) {
  // Property: random demand over four days; the starts in every 24 h interval stay <= cap,
  // including across a restart that restores only what was stored.
  std::mt19937_64 rng(7);
  const int64_t cap = 200;
  DailyQuota q(cap, DayKind::kRolling24h);
  std::vector<int64_t> starts;
  std::string stored = "v1";
  std::exponential_distribution<double> gap(1.0 / 60'000);  // about one a minute
  int64_t t = kT0;
  bool restarted = false;
  while (t < kT0 + 4 * kMsPerDay) {
    t += static_cast<int64_t>(gap(rng)) + 1;
    if (!restarted && t > kT0 + kMsPerDay + kMsPerDay / 3) {
      restarted = true;
      q = DailyQuota(cap, DayKind::kRolling24h);
      q.Restore(DailyQuota::Decode(stored).value(), t);
    }
    if (!q.TryConsume(t)) {
      if (ReserveAndConfirm(q, t, 1, &stored)) {
        ASSERT_TRUE(q.TryConsume(t));
      } else {
        continue;
      }
    }
    starts.push_back(t);
    ReserveAndConfirm(q, t, 0, &stored);
  }
  size_t lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[lo] <= starts[hi] - kMsPerDay) ++lo;
    ASSERT_LE(static_cast<int64_t>(hi - lo + 1), cap) << "at start " << hi;
  }
  EXPECT_GT(starts.size(), static_cast<size_t>(3 * cap));  // and the cap is mostly usable
}

TEST(DailyQuota, RestoreCountsReservedAsUsed) {
  DailyQuota q(100, DayKind::kRolling24h);
  std::string stored;
  ASSERT_TRUE(ReserveAndConfirm(q, kT0, 1, &stored));
  ASSERT_TRUE(q.TryConsume(kT0));  // only one of 5 used, then kill -9
  DailyQuota after(100, DayKind::kRolling24h);
  after.Restore(DailyQuota::Decode(stored).value(), kT0 + 1000);
  EXPECT_EQ(after.UsedAt(kT0 + 1000), 5);
  EXPECT_EQ(after.UsableAt(kT0 + 1000), 0);
  // 95 remain reservable, in blocks.
  int64_t granted = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = after.MaybeReserve(kT0 + 2000 + i, 100);
    if (!r) break;
    granted += r->block.count;
    after.OnReserved(r->block, kT0 + 2000 + i);
    while (after.TryConsume(kT0 + 2000 + i)) {
    }
  }
  EXPECT_EQ(granted, 95);
  EXPECT_EQ(after.EarliestUnitsMs(1, kT0 + 5000), kT0 + kMsPerDay + kLife);
}

TEST(DailyQuota, ExpiredUnitsAreGivenBackAtTheNextWrite) {
  DailyQuota q(10, DayKind::kRolling24h);
  ASSERT_TRUE(ReserveAndConfirm(q, kT0, 10));  // the whole cap, one used
  ASSERT_TRUE(q.TryConsume(kT0));
  EXPECT_FALSE(q.MaybeReserve(kT0 + 1000, 10));  // no room while the block is open
  EXPECT_FALSE(q.TryConsume(kT0 + kLife));       // expired
  auto r = q.MaybeReserve(kT0 + kLife, 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->encoded, "v1;1700000000000:1;1700000900000:1");
}

TEST(DailyQuota, EncodeDecode) {
  const std::vector<QuotaBlock> blocks = {{kT0, 5}, {kT0 + 10, 7}};
  auto decoded = DailyQuota::Decode(DailyQuota::Encode(blocks));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), blocks);
  EXPECT_TRUE(DailyQuota::Decode("v1").value().empty());
  EXPECT_EQ(DailyQuota::Decode("v2;1:1").status().message(),
            "quota record 'v2;1:1': unsupported version (expected 'v1'); count the host's daily "
            "cap as used");
  EXPECT_TRUE(DailyQuota::Decode("v1;12x").status().IsCorruption());
  EXPECT_EQ(DailyQuota::Decode("v1;12x").status().message(),
            "quota record 'v1;12x': bad block '12x' (expected START_MS:COUNT)");
}

TEST(DailyQuota, UtcDaysResetAtMidnight) {
  const int64_t midnight = (kT0 / kMsPerDay + 1) * kMsPerDay;
  DailyQuota q(3, DayKind::kUtcDay);
  ASSERT_TRUE(ReserveAndConfirm(q, midnight - 60'000, 3));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.TryConsume(midnight - 60'000));
  EXPECT_FALSE(q.MaybeReserve(midnight - 1, 1));
  EXPECT_EQ(q.EarliestUnitsMs(1, midnight - 1), midnight);
  EXPECT_TRUE(ReserveAndConfirm(q, midnight, 1));
  EXPECT_EQ(q.UsedAt(midnight), 0);
}

TEST(DailyQuota, LoweredCapCutsOpenBlocks) {
  DailyQuota q(100, DayKind::kRolling24h);
  ASSERT_TRUE(ReserveAndConfirm(q, kT0, 100));  // 100 usable
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.TryConsume(kT0));
  q.SetCap(12, DayKind::kRolling24h, kT0);
  EXPECT_EQ(q.UsableAt(kT0), 2);
}

}  // namespace
}  // namespace whois::limits
