// HostScheduler with back-off: cool-down, the single probe, the lowered rate, and the deadline
// arithmetic around them. The policy alone is tested in back_off_test.cc.
#include <gtest/gtest.h>

#include <sstream>

#include "limits_test_support.h"
#include "whois/limits/host_scheduler.h"

namespace whois::limits {
namespace {

// One query started now and ended with `outcome`, as the event loop reports it.
void Query(HostScheduler& s, RequestId id, int64_t now, Outcome outcome,
           std::optional<int64_t> named_wait_ms = std::nullopt) {
  ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, now + 10'000, now)));
  ASSERT_TRUE(s.Release(now));
  s.OnOutcome(outcome, now, named_wait_ms);
}

TEST(HostSchedulerBackOff, RefusalNamingAWaitCoolsDownExactlyThat) {
  HostScheduler s("whois.nic.example", Spec("rate 5/s"), 16, kT0);
  Query(s, 1, kT0, Outcome::kRefused, 50'000);
  HostStats st = s.Stats(kT0);
  EXPECT_EQ(st.cooldown_until_ms, kT0 + 50'000);
  EXPECT_EQ(st.strikes, 1);
  EXPECT_EQ(st.refusals, 1);
  EXPECT_EQ(st.rate_factor_percent, 50);
  EXPECT_FALSE(st.probing);

  // A deadline inside the cool-down is answered at once.
  const Rejection r = std::get<Rejection>(s.Submit(2, Priority::kClient, kT0 + 40'000, kT0 + 10));
  EXPECT_EQ(r.reason, RejectReason::kRateLimited);
  EXPECT_GE(r.retry_after_s * 1000, 50'000 - 10);
  EXPECT_EQ(r.message, "whois.nic.example refused our queries (strike 1); cooling down for 50s");
  // A later one waits, and the caller is woken when the cool-down ends.
  auto q = std::get<Queued>(s.Submit(3, Priority::kClient, kT0 + 60'000, kT0 + 10));
  EXPECT_EQ(q.earliest_start_ms, kT0 + 50'000);
  EXPECT_EQ(s.NextWakeMs(kT0 + 10), kT0 + 50'000);
  EXPECT_TRUE(Ids(s.Poll(kT0 + 49'999)).empty());
  EXPECT_EQ(Ids(s.Poll(kT0 + 50'000)), std::vector<RequestId>{3});
  EXPECT_TRUE(s.Stats(kT0 + 50'000).probing);
}

TEST(HostSchedulerBackOff, ExactlyOneProbeWhateverTheConcurrencyAndRateAllow) {
  HostScheduler s("h", Spec("concurrency 5"), 16, kT0);
  for (RequestId id = 1; id <= 5; ++id) {
    ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, kT0 + 10'000, kT0)));
  }
  // All five come back refused: one episode, one strike.
  for (int i = 0; i < 5; ++i) {
    s.Release(kT0 + 100 + i);
    s.OnOutcome(Outcome::kRefused, kT0 + 100 + i);
  }
  const int64_t end = kT0 + 100 + BackOff::kBaseCoolDownMs;
  EXPECT_EQ(s.Stats(end).strikes, 1);
  EXPECT_EQ(s.Stats(end).refusals, 5);
  EXPECT_EQ(s.Stats(end).cooldown_until_ms, end);
  for (RequestId id = 10; id < 16; ++id) s.Submit(id, Priority::kClient, end + 20'000, kT0 + 200);
  EXPECT_EQ(s.NextWakeMs(kT0 + 200), end);
  EXPECT_EQ(Ids(s.Poll(end)), std::vector<RequestId>{10});  // the probe
  // Nothing else starts, and no timer is needed but the deadlines: the outcome is an event.
  EXPECT_TRUE(Ids(s.Poll(end + 1000)).empty());
  EXPECT_TRUE(std::holds_alternative<Queued>(s.Submit(20, Priority::kClient, end + 20'000, end)));
  EXPECT_EQ(s.NextWakeMs(end + 1000), end + 20'001);
  EXPECT_TRUE(s.Stats(end).probing);
  // The probe succeeds: the host reopens to its full concurrency.
  s.Release(end + 2000);
  s.OnOutcome(Outcome::kOk, end + 2000);
  EXPECT_FALSE(s.Stats(end + 2000).probing);
  EXPECT_EQ(Ids(s.Poll(end + 2000)), (std::vector<RequestId>{11, 12, 13, 14, 15}));
}

TEST(HostSchedulerBackOff, ProbeWaitsForConnectionsOpenedBeforeTheStrike) {
  HostScheduler s("h", Spec("concurrency 5"), 16, kT0);
  ASSERT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0 + 10'000, kT0)));
  ASSERT_TRUE(IsAdmitted(s.Submit(2, Priority::kClient, kT0 + 10'000, kT0)));
  s.Release(kT0 + 10);
  s.OnOutcome(Outcome::kReset, kT0 + 10);
  const int64_t end = kT0 + 10 + BackOff::kBaseCoolDownMs;
  s.Submit(3, Priority::kClient, end + 60'000, kT0 + 20);
  // Connection 2 is still open at the end of the cool-down: its outcome would be taken for the
  // probe's, so the probe waits for it (Release is an event: no timer).
  EXPECT_TRUE(Ids(s.Poll(end)).empty());
  EXPECT_EQ(s.NextWakeMs(end), end + 60'001);
  s.Release(end + 500);
  s.OnOutcome(Outcome::kTimeout, end + 500);  // stale: no strike
  EXPECT_EQ(s.Stats(end + 500).strikes, 1);
  EXPECT_EQ(Ids(s.Poll(end + 500)), std::vector<RequestId>{3});
}

TEST(HostSchedulerBackOff, FailedProbeLengthensTheCoolDownAndExpiresWhatCannotWait) {
  HostScheduler s("h", Spec("concurrency 5"), 16, kT0);
  Query(s, 1, kT0, Outcome::kRefused);
  const int64_t end = kT0 + 30'000;
  s.Submit(2, Priority::kClient, end + 1000, kT0);
  s.Submit(3, Priority::kClient, end + 30'000, kT0);
  s.Submit(4, Priority::kClient, end + 90'000, kT0);
  ASSERT_EQ(Ids(s.Poll(end)), std::vector<RequestId>{2});
  s.Release(end + 100);
  s.OnOutcome(Outcome::kRefused, end + 100, 10'000);  // the base doubled beats the named wait
  const int64_t end2 = end + 100 + 60'000;
  EXPECT_EQ(s.Stats(end + 100).cooldown_until_ms, end2);
  EXPECT_EQ(s.Stats(end + 100).strikes, 2);
  // Request 3 can no longer make it: the caller calls Expire after every OnOutcome.
  auto expired = s.Expire(end + 100);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].first, 3u);
  EXPECT_EQ(expired[0].second.reason, RejectReason::kRateLimited);
  EXPECT_EQ(expired[0].second.retry_after_s, 60);
  EXPECT_EQ(expired[0].second.message,
            "h refused our probe after a cool-down (strike 2); cooling down for 1m0s");
  EXPECT_EQ(s.NextWakeMs(end + 100), end2);
  EXPECT_EQ(Ids(s.Poll(end2)), std::vector<RequestId>{4});
}

TEST(HostSchedulerBackOff, ProbeDeadlineMessage) {
  HostScheduler s("h", Spec("concurrency 5"), 16, kT0);
  Query(s, 1, kT0, Outcome::kRefused);
  const int64_t end = kT0 + 30'000;
  s.Submit(2, Priority::kClient, end + 5000, kT0);
  s.Submit(3, Priority::kClient, end + 5000, kT0);
  ASSERT_EQ(Ids(s.Poll(end)), std::vector<RequestId>{2});
  EXPECT_EQ(s.NextWakeMs(end), end + 5001);
  auto expired = s.Expire(end + 5001);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].second.reason, RejectReason::kDeadlineExceeded);
  EXPECT_EQ(expired[0].second.message,
            "no connection to h could start before the deadline (probing after a cool-down: one "
            "connection until it answers)");
}

// Every start keeps the window count it was admitted under: the starts in the window ending at
// it, itself included, are at most that count. The scheduler's jitter margin makes its windows
// longer than window_ms, so this checks the configured window (the stricter test).
void ExpectEachStartWithinItsLimit(const std::vector<std::pair<int64_t, int64_t>>& starts,
                                   int64_t window_ms) {
  size_t lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[lo].first <= starts[hi].first - window_ms) ++lo;
    ASSERT_LE(static_cast<int64_t>(hi - lo + 1), starts[hi].second) << "start " << hi;
  }
}

TEST(HostSchedulerBackOff, LoweredRateIsEnforcedExactlyAndRecoversWithSuccess) {
  HostScheduler s("h", Spec("rate 8/s"), 64, kT0);
  Query(s, 1, kT0, Outcome::kRefused);
  EXPECT_EQ(s.Stats(kT0).window_limit, 4);
  int64_t now = kT0 + 30'000;
  // Saturate it, driven like the event loop; every query succeeds at once. Each start is
  // checked against the limit in force when it was made, which rises as successes come in.
  std::vector<std::pair<int64_t, int64_t>> starts;  // time, window limit at that time
  std::vector<int64_t> limits_seen;
  RequestId next = 100;
  const int64_t stop = now + 60'000;
  auto started = [&](int64_t at) {
    const int64_t limit = s.Stats(at).window_limit;
    if (limits_seen.empty() || limits_seen.back() != limit) limits_seen.push_back(limit);
    starts.emplace_back(at, limit);
    s.Release(at);
    s.OnOutcome(Outcome::kOk, at);
  };
  while (now < stop) {
    while (s.Stats(now).queued < 8) {
      if (IsAdmitted(s.Submit(next++, Priority::kClient, now + 30'000, now))) started(now);
    }
    for (auto& [id, why] : s.Expire(now)) FAIL() << id << ": " << why.message;
    for (RequestId id : Ids(s.Poll(now))) {
      (void)id;
      started(now);
    }
    now = std::max(now + 1, s.NextWakeMs(now));
  }
  ExpectEachStartWithinItsLimit(starts, 1000);
  // 50% then +10% per 20 successes: 8 × 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 -> 4, 4, 5, 6, 7, 8.
  EXPECT_EQ(limits_seen, (std::vector<int64_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(s.Stats(now).rate_factor_percent, 100);
  EXPECT_EQ(s.Stats(now).strikes, 0);  // 50 successes in a row
  // The lowered rate was used, not just kept: the first second after the probe held 4 starts.
  int64_t first_second = 0;
  for (const auto& [t, limit] : starts) first_second += t < kT0 + 31'000 ? 1 : 0;
  EXPECT_EQ(first_second, 4);
  // And the full rate is used at the end: 8 starts in the last window of the enforced length.
  EXPECT_EQ(s.Stats(starts.back().first).window_count, 8);
}

TEST(HostSchedulerBackOff, LoweredRateAppliesToTheBucket) {
  HostScheduler s("h", Spec("rate 4/s burst 8"), 16, kT0);
  Query(s, 1, kT0, Outcome::kRefused);  // burst 4, refill 2 per 1025 ms from now on
  const int64_t end = kT0 + 30'000;
  s.Submit(2, Priority::kClient, end + 10'000, kT0);
  ASSERT_EQ(Ids(s.Poll(end)), std::vector<RequestId>{2});
  s.Release(end + 100);
  s.OnOutcome(Outcome::kOk, end + 100);
  for (RequestId id = 3; id <= 5; ++id) {
    ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, end + 10'000, end + 100)));
  }
  // The bucket holds 4 tokens (4 × 1025 units), refilling 2 units a millisecond: after the
  // probe and 100 ms, 3 × 1025 + 200 units; three starts leave 200, a token needs 825 more.
  auto q = std::get<Queued>(s.Submit(6, Priority::kClient, end + 10'000, end + 100));
  EXPECT_EQ(q.earliest_start_ms, end + 100 + 413);
}

TEST(HostSchedulerBackOff, LoweredRateMessage) {
  HostScheduler s("whois.eu", Spec("rate 15/m"), 16, kT0);
  Query(s, 1, kT0, Outcome::kRefused);
  for (int i = 0; i < 2; ++i) {
    const int64_t end = s.Stats(kT0).cooldown_until_ms;
    ASSERT_TRUE(IsAdmitted(s.Submit(10 + i, Priority::kClient, end + 1000, end)));
    s.Release(end);
    s.OnOutcome(Outcome::kRefused, end);
  }
  const int64_t end = s.Stats(kT0).cooldown_until_ms;  // 30 + 60 + 120 s
  EXPECT_EQ(s.Stats(end).rate_factor_percent, 12);
  EXPECT_EQ(s.Stats(end).window_limit, 1);
  Query(s, 20, end, Outcome::kOk);  // the probe: 1/m now
  const Rejection r = std::get<Rejection>(s.Submit(21, Priority::kClient, end + 10'000, end));
  EXPECT_EQ(r.message,
            "rate limit of whois.eu (15/m, lowered to 12.5% after refusals) allows the next start "
            "in 1m1s, after the deadline");
}

TEST(HostSchedulerBackOff, StatsCountStartsInTheShortestWindow) {
  HostScheduler s("h", Spec("rate 100/h rate 5/s"), 16, kT0);
  for (RequestId id = 1; id <= 3; ++id) Query(s, id, kT0 + 300 * id, Outcome::kOk);
  const HostStats st = s.Stats(kT0 + 1000);
  EXPECT_EQ(st.window_ms, 1000);
  EXPECT_EQ(st.window_limit, 5);
  EXPECT_EQ(st.window_count, 3);
  EXPECT_EQ(s.Stats(kT0 + 1350).window_count, 2);  // (350, 1350]
  EXPECT_EQ(st.rate_factor_percent, 100);
  EXPECT_EQ(st.strikes, 0);
}

TEST(HostSchedulerBackOff, PlainCoolDownHasNoProbe) {
  HostScheduler s("h", Spec("concurrency 5"), 16, kT0);
  s.CoolDownUntil(kT0 + 1000, "refused: 'slow down'");
  for (RequestId id = 1; id <= 3; ++id) s.Submit(id, Priority::kClient, kT0 + 5000, kT0);
  EXPECT_EQ(Ids(s.Poll(kT0 + 1000)), (std::vector<RequestId>{1, 2, 3}));
  // The caller reporting the same refusal through OnOutcome as well still strikes.
  s.CoolDownUntil(kT0 + 200'000, "refused: 'slow down'");
  s.Release(kT0 + 1100);
  s.OnOutcome(Outcome::kRefused, kT0 + 1100);
  EXPECT_EQ(s.Stats(kT0 + 1100).strikes, 1);
  EXPECT_EQ(s.Stats(kT0 + 1100).cooldown_until_ms, kT0 + 200'000);  // never shortened
}

}  // namespace
}  // namespace whois::limits
