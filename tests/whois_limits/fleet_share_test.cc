// The pure parts of a `scope all` budget held by a fleet (limits/fleet_share.h): the local
// share a proxy runs on while Redis is gone, driven through a Budget with a manual clock, and
// the ledger of local starts a return to Redis reports.
#include "whois/limits/fleet_share.h"

#include <gtest/gtest.h>

#include "whois/limits/budget.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {
namespace {

LimitSpec Spec(const std::vector<std::string>& words) {
  auto parsed = ParseLimitSpec(words);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.value();
}

TEST(LocalShareTest, EveryCountIsDividedByTheProxiesAtLeastOne) {
  LimitSpec spec = Spec({"concurrency", "6", "rate", "10/2s", "rate", "100/h", "burst", "4",
                         "daily", "900", "scope", "all"});
  LimitSpec share = LocalShare(spec, 3);
  EXPECT_EQ(share.concurrency, 2);
  EXPECT_EQ(share.rates[0].count, 3);  // 10 / 3, rounded down
  EXPECT_EQ(share.rates[0].window_ms, 2000);
  EXPECT_EQ(share.rates[1].count, 33);
  EXPECT_EQ(share.burst, 1);
  EXPECT_EQ(share.daily, 0);  // the caller's: LocalDailyShare
  EXPECT_EQ(share.scope.kind, ScopeKind::kAll);
  // Never below one per window, never the whole limit while others are alive.
  LimitSpec tiny = LocalShare(Spec({"rate", "2/m", "scope", "all"}), 5);
  EXPECT_EQ(tiny.rates[0].count, 1);
  EXPECT_EQ(LocalShare(spec, 1).rates[0].count, 10);
  EXPECT_EQ(LocalShare(spec, 0).rates[0].count, 10);  // no heartbeat yet: this proxy alone
  EXPECT_EQ(LocalShare(Spec({"rate", "5/s"}), 2).concurrency, 0);  // none set: none made up
}

TEST(LocalShareTest, TheDailyShareIsWhatTheFleetLeftDivided) {
  EXPECT_EQ(LocalDailyShare(900, 0, 3), 300);
  EXPECT_EQ(LocalDailyShare(900, 600, 3), 100);
  EXPECT_EQ(LocalDailyShare(900, 899, 3), 1);
  EXPECT_EQ(LocalDailyShare(900, 900, 3), 0);
  EXPECT_EQ(LocalDailyShare(0, 0, 3), 0);
}

// A proxy on its local share, its windows full from the moment Redis was lost (as FleetBudgets
// does), started whenever the share allows over simulated minutes: no window ever holds more
// than the share, the first start waits one window, and the share is used.
TEST(LocalShareTest, ABudgetOnTheShareNeverExceedsItAndUsesIt) {
  LimitSpec spec = Spec({"rate", "6/2s", "scope", "all"});
  LimitSpec share = LocalShare(spec, 3);
  const int64_t lost = 1'000'000;
  Budget budget("", share, lost, /*count_when_sent=*/true);
  budget.AssumeFullAt(lost);
  std::vector<int64_t> starts;
  for (int64_t now = lost; now < lost + 60'000; now += 7) {
    if (!budget.CanStartNow(now)) continue;
    budget.Start(now);
    budget.OnSent(now);
    budget.Release();
    starts.push_back(now);
  }
  ASSERT_FALSE(starts.empty());
  EXPECT_GE(starts.front(), lost + 2000);
  for (size_t i = 2; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 2], 2000) << i;
  // 2 per 2.05 s (window and jitter margin) over the 58 s after the first window.
  EXPECT_GE(starts.size(), 54u);
}

TEST(ShareLedgerTest, ACarryHoldsTheStartsOfTheLastWindowAndAllOfTheDay) {
  ShareLedger ledger;
  EXPECT_TRUE(ledger.empty());
  ledger.OnLocalStart(1000, 2000);
  ledger.OnLocalStart(5000, 2000);
  ledger.OnLocalStart(6500, 2000);
  EXPECT_FALSE(ledger.empty());
  ShareLedger::Carry c = ledger.TakeCarry(6900, 2000);
  EXPECT_EQ(c.window_starts, 2);  // 5000 and 6500 lie in (4900, 6900]; 1000 does not
  EXPECT_EQ(c.daily_starts, 3);
  EXPECT_TRUE(ledger.empty());
  EXPECT_TRUE(ledger.TakeCarry(8000, 2000).empty());
  // A carry Redis did not store comes back, as made later.
  ledger.PutBack(c, 9000);
  ShareLedger::Carry again = ledger.TakeCarry(10'500, 2000);
  EXPECT_EQ(again.window_starts, 2);
  EXPECT_EQ(again.daily_starts, 3);
}

}  // namespace
}  // namespace whois::limits
