#include "whois/limits/limit_registry.h"

#include <gtest/gtest.h>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

TEST(LimitRegistry, EffectiveSpecPrecedence) {
  LimitRegistry reg({}, kT0);
  SpecSource source;
  EXPECT_EQ(FormatLimitSpec(reg.SpecFor("WHOIS.NIC.UK.", &source)),
            "concurrency 2 rate 5/s daily 1000");
  EXPECT_EQ(source, SpecSource::kBuiltin);
  EXPECT_EQ(FormatLimitSpec(reg.SpecFor("whois.unknown.example", &source)),
            "concurrency 2 rate 1/s");
  EXPECT_EQ(source, SpecSource::kDefault);
  reg.SetLimit("whois.nic.uk", LimitSpec{.concurrency = 1, .rates = {{2, 1000}}}, kT0);
  EXPECT_EQ(FormatLimitSpec(reg.SpecFor("whois.nic.uk", &source)), "concurrency 1 rate 2/s");
  EXPECT_EQ(source, SpecSource::kOperator);
  EXPECT_TRUE(reg.ClearLimit("whois.nic.uk", kT0));
  EXPECT_FALSE(reg.ClearLimit("whois.nic.uk", kT0));
  EXPECT_EQ(reg.SpecFor("whois.nic.uk", &source).daily, 1000);
  reg.SetDefaultLimit(LimitSpec{.concurrency = 5}, kT0);
  EXPECT_EQ(reg.SpecFor("whois.unknown.example").concurrency, 5);
  EXPECT_EQ(LimitRegistry::QuotaKey("Whois.Nic.UK"), "q:whois.nic.uk");
}

TEST(LimitRegistry, SchedulersStartFullAndFollowChanges) {
  LimitRegistry reg({}, kT0);
  // Created a little after start-up: the start-up window is still assumed full.
  HostScheduler& s = reg.Scheduler("whois.unknown.example", kT0 + 200);
  auto q = std::get<Queued>(s.Submit(1, Priority::kClient, kT0 + 5000, kT0 + 200));
  const int64_t next = kT0 + 1000 + JitterMarginMs(1000);
  EXPECT_EQ(q.earliest_start_ms, next);
  EXPECT_EQ(reg.NextWakeMs(kT0 + 200), next);
  auto started = reg.PollAll(next);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].first, "whois.unknown.example");
  // Changing the default reaches existing schedulers that use it, keeping history.
  reg.SetDefaultLimit(LimitSpec{.rates = {{1, 10'000}}}, kT0 + 1500);
  EXPECT_EQ(
      std::get<Queued>(s.Submit(2, Priority::kClient, kT0 + 20'000, kT0 + 1500)).earliest_start_ms,
      next + 10'000 + JitterMarginMs(10'000));
  EXPECT_EQ(&reg.Scheduler("WHOIS.UNKNOWN.EXAMPLE.", kT0), &s);
  auto stats = reg.Stats(kT0 + 1500);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].second.admitted, 1);
  EXPECT_EQ(stats[0].second.queued, 1);
}

TEST(LimitRegistry, QuotaRestoreAndReservations) {
  LimitRegistry reg({.assume_full_at_start = false}, kT0);
  EXPECT_TRUE(reg.RestoreQuota("whois.nic.uk", "v1;1700000000000:990", kT0 + 10).ok());
  HostScheduler& s = reg.Scheduler("whois.nic.uk", kT0 + 10);
  EXPECT_EQ(s.Stats(kT0 + 10).used_today, 990);
  s.Submit(7, Priority::kClient, kT0 + 5000, kT0 + 10);
  auto reservations = reg.TakeReservations();
  ASSERT_EQ(reservations.size(), 1u);
  EXPECT_EQ(reservations[0].key, "q:whois.nic.uk");
  EXPECT_EQ(reservations[0].request.encoded, "v1;1700000000000:990;1700000000010:10");
  EXPECT_TRUE(reg.OnReserved("whois.nic.uk", reservations[0].request.block, kT0 + 12));
  EXPECT_EQ(reg.PollAll(kT0 + 12).size(), 1u);

  auto error = reg.RestoreQuota("whois.eu", "garbage", kT0);  // no daily cap: nothing to do
  ASSERT_TRUE(error.IsCorruption());
  EXPECT_EQ(error.message(),
            "quota record 'garbage': unsupported version (expected 'v1'); count the host's "
            "daily cap as used");
  EXPECT_FALSE(reg.RestoreQuota("whois.ripe.net", "v1;x", kT0).ok());
  EXPECT_EQ(reg.Scheduler("whois.ripe.net", kT0).Stats(kT0).used_today, 1000);
}

TEST(LimitRegistry, ExpireAllReportsHost) {
  LimitRegistry reg({.max_queue_per_host = 4, .assume_full_at_start = false}, kT0);
  HostScheduler& s = reg.Scheduler("whois.iana.org", kT0);
  ASSERT_TRUE(std::holds_alternative<Admitted>(s.Submit(1, Priority::kClient, kT0 + 10, kT0)));
  ASSERT_TRUE(std::holds_alternative<Queued>(s.Submit(2, Priority::kClient, kT0 + 10, kT0)));
  auto expired = reg.ExpireAll(kT0 + 11);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(std::get<0>(expired[0]), "whois.iana.org");
  EXPECT_EQ(std::get<2>(expired[0]).reason, RejectReason::kDeadlineExceeded);
}

TEST(LimitRegistry, OnOutcomeReachesTheHost) {
  LimitRegistry reg({.assume_full_at_start = false}, kT0);
  HostScheduler& s = reg.Scheduler("whois.example", kT0);
  ASSERT_TRUE(std::holds_alternative<Admitted>(s.Submit(1, Priority::kClient, kT0 + 10, kT0)));
  s.Release(kT0 + 5);
  reg.OnOutcome("WHOIS.Example.", Outcome::kRefused, kT0 + 5, 50'000);
  const HostStats st = s.Stats(kT0 + 5);
  EXPECT_EQ(st.strikes, 1);
  EXPECT_EQ(st.refusals, 1);
  EXPECT_EQ(st.cooldown_until_ms, kT0 + 50'005);
  EXPECT_EQ(reg.NextWakeMs(kT0 + 5), kNeverMs);                  // nothing waits
  reg.OnOutcome("never.scheduled", Outcome::kRefused, kT0 + 5);  // ignored
  EXPECT_EQ(reg.Find("never.scheduled"), nullptr);
}

}  // namespace
}  // namespace whois::limits
