#include "whois/limits/host_scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

Rejection Rejected(const Admission& a) { return std::get<Rejection>(a); }

TEST(HostScheduler, ConcurrencyHeldUntilRelease) {
  HostScheduler s("whois.radb.net", Spec("concurrency 2"), 8, kT0);
  EXPECT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0 + 5000, kT0)));
  EXPECT_TRUE(IsAdmitted(s.Submit(2, Priority::kClient, kT0 + 5000, kT0)));
  EXPECT_TRUE(std::holds_alternative<Queued>(s.Submit(3, Priority::kClient, kT0 + 5000, kT0)));
  EXPECT_TRUE(Ids(s.Poll(kT0 + 10)).empty());
  EXPECT_EQ(s.NextWakeMs(kT0 + 10), kT0 + 5001);  // only its deadline; Release is an event
  EXPECT_TRUE(s.Release(kT0 + 20));
  EXPECT_EQ(Ids(s.Poll(kT0 + 20)), std::vector<RequestId>{3});
  EXPECT_EQ(s.Stats(kT0 + 20).in_flight, 2);
  EXPECT_TRUE(s.Release(kT0 + 30));
  EXPECT_TRUE(s.Release(kT0 + 30));
  EXPECT_FALSE(s.Release(kT0 + 30));
}

TEST(HostScheduler, SeveralWindowsAllHoldUnderSaturation) {
  // Property: saturating random arrivals over three simulated hours, driven like the event
  // loop (submit at arrival, poll at NextWakeMs); an independent counter checks every window.
  const LimitSpec spec = Spec("rate 5/s rate 1800/15m rate 4000/h");
  HostScheduler s("whois.example", spec, 64, kT0);
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int64_t> gap(0, 60);
  std::vector<int64_t> starts;
  RequestId next_id = 1;
  int64_t now = kT0, arrival = kT0;
  const int64_t end = kT0 + 3 * 3'600'000;
  while (now < end) {
    const int64_t wake = s.NextWakeMs(now);
    if (arrival <= wake) {
      now = arrival;
      arrival += gap(rng);
      Admission a = s.Submit(next_id++, Priority::kClient, now + 30'000, now);
      if (IsAdmitted(a)) {
        starts.push_back(now);
        s.Release(now);
      }
    } else {
      now = wake;
      s.Expire(now);
      for (RequestId id : Ids(s.Poll(now))) {
        (void)id;
        starts.push_back(now);
        s.Release(now);
      }
    }
  }
  for (const RateLimit& r : spec.rates) {
    EXPECT_LE(MaxInAnyWindow(starts, r.window_ms), r.count) << FormatRate(r);
  }
  // Binding limits: 1800 per 15 min but only 4000 per hour -> 12000 in three hours.
  const double max_possible = 3 * 4000;
  EXPECT_GE(static_cast<double>(starts.size()), 0.95 * max_possible);
}

TEST(HostScheduler, TokenBucketSpec) {
  HostScheduler s("h", Spec("rate 1/s burst 3"), 8, kT0);
  for (RequestId id = 1; id <= 3; ++id) {
    ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, kT0 + 10'000, kT0)));
  }
  auto q = std::get<Queued>(s.Submit(4, Priority::kClient, kT0 + 10'000, kT0));
  const int64_t next = kT0 + 1000 + JitterMarginMs(1000);
  EXPECT_EQ(q.earliest_start_ms, next);
  EXPECT_EQ(s.NextWakeMs(kT0), next);
  EXPECT_TRUE(Ids(s.Poll(next - 1)).empty());
  EXPECT_EQ(Ids(s.Poll(next)), std::vector<RequestId>{4});
}

TEST(HostScheduler, FifoWithinPriorityClientBeforeBackground) {
  HostScheduler s("h", Spec("rate 1/s"), 16, kT0);
  ASSERT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0 + 60'000, kT0)));
  s.Submit(10, Priority::kBackground, kT0 + 60'000, kT0);
  s.Submit(11, Priority::kBackground, kT0 + 60'000, kT0);
  auto q = std::get<Queued>(s.Submit(2, Priority::kClient, kT0 + 60'000, kT0));
  EXPECT_EQ(q.ahead, 0u);  // goes before both background requests
  s.Submit(3, Priority::kClient, kT0 + 60'000, kT0);
  std::vector<RequestId> order;
  for (int64_t t = kT0; order.size() < 4; t += 1000) {
    for (RequestId id : Ids(s.Poll(t))) order.push_back(id);
  }
  EXPECT_EQ(order, (std::vector<RequestId>{2, 3, 10, 11}));
}

TEST(HostScheduler, DeadlineRejectionWithReasonAndRetryAfter) {
  HostScheduler s("whois.eu", Spec("rate 15/m"), 64, kT0);
  for (RequestId id = 1; id <= 15; ++id) {
    ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, kT0 + 10'000, kT0 + 100 * id)));
  }
  // The 16th start cannot come before kT0 + 100 + 60 s.
  const Admission a = s.Submit(16, Priority::kClient, kT0 + 10'000, kT0 + 2000);
  const Rejection r = Rejected(a);
  EXPECT_EQ(r.reason, RejectReason::kRateLimited);
  EXPECT_EQ(RejectReasonName(r.reason), "rate_limited");
  EXPECT_EQ(r.retry_after_s, 59);
  EXPECT_EQ(r.message,
            "rate limit of whois.eu (15/m) allows the next start in 59s, after the deadline");
  // With a deadline it can meet, it queues with the exact earliest start.
  auto q = std::get<Queued>(s.Submit(17, Priority::kClient, kT0 + 70'000, kT0 + 2000));
  EXPECT_EQ(q.earliest_start_ms, kT0 + 60'100 + JitterMarginMs(60'000));
  // Queue position counts: the next one would start at kT0 + 60'200.
  EXPECT_EQ(Rejected(s.Submit(18, Priority::kClient, kT0 + 60'150, kT0 + 2000)).reason,
            RejectReason::kRateLimited);
  EXPECT_EQ(s.Stats(kT0).rejected[static_cast<size_t>(RejectReason::kRateLimited)], 2);
}

TEST(HostScheduler, QueueFullAnswersAtOnce) {
  HostScheduler s("h", Spec("concurrency 1"), 2, kT0);
  ASSERT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0 + 1000, kT0)));
  s.Submit(2, Priority::kClient, kT0 + 1000, kT0);
  s.Submit(3, Priority::kBackground, kT0 + 1000, kT0);
  const Rejection r = Rejected(s.Submit(4, Priority::kClient, kT0 + 1000, kT0));
  EXPECT_EQ(r.reason, RejectReason::kQueueFull);
  EXPECT_EQ(r.retry_after_s, 1);
  EXPECT_EQ(r.message, "queue for h is full (2 waiting); retry in 1s");
}

TEST(HostScheduler, ExpireRemovesWhatCannotMakeItsDeadline) {
  HostScheduler s("h", Spec("concurrency 1 rate 1/s"), 16, kT0);
  ASSERT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0 + 100, kT0)));
  ASSERT_TRUE(std::holds_alternative<Queued>(s.Submit(2, Priority::kClient, kT0 + 1500, kT0)));
  ASSERT_TRUE(std::holds_alternative<Queued>(s.Submit(3, Priority::kBackground, kT0 + 5000, kT0)));
  // The connection of 1 stays open: 2 misses its deadline waiting for the slot.
  EXPECT_EQ(s.NextWakeMs(kT0), kT0 + 1501);
  auto expired = s.Expire(kT0 + 1501);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].first, 2u);
  EXPECT_EQ(expired[0].second.reason, RejectReason::kDeadlineExceeded);
  EXPECT_EQ(expired[0].second.message,
            "no connection to h could start before the deadline (1 open, concurrency 1)");
  // A client request now jumps ahead of 3, and the rate limit pushes 3 past its deadline.
  s.Release(kT0 + 1600);
  ASSERT_TRUE(IsAdmitted(s.Submit(4, Priority::kClient, kT0 + 9000, kT0 + 1600)));
  s.Release(kT0 + 1700);
  EXPECT_TRUE(s.Cancel(3));
  EXPECT_FALSE(s.Cancel(3));
  EXPECT_EQ(s.NextWakeMs(kT0 + 1700), kNeverMs);
}

TEST(HostScheduler, ExpireByRateEstimate) {
  HostScheduler s("h", Spec("rate 1/s"), 16, kT0);
  ASSERT_TRUE(IsAdmitted(s.Submit(1, Priority::kClient, kT0, kT0)));
  const int64_t turn = kT0 + 1000 + JitterMarginMs(1000);
  ASSERT_TRUE(std::holds_alternative<Queued>(s.Submit(2, Priority::kBackground, turn, kT0)));
  // A client request takes the next turn; the background request can no longer make it.
  ASSERT_TRUE(std::holds_alternative<Queued>(s.Submit(3, Priority::kClient, turn, kT0)));
  auto expired = s.Expire(kT0 + 10);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].first, 2u);
  EXPECT_EQ(expired[0].second.reason, RejectReason::kRateLimited);
  // Its turn would have been the third start, two windows (plus margins) after kT0: 2.04 s
  // from now, rounded up.
  EXPECT_EQ(expired[0].second.retry_after_s, 3);
}

TEST(HostScheduler, CoolDownAdmitsNothingBeforeItsEnd) {
  HostScheduler s("whois.nic.uk", Spec("rate 5/s"), 16, kT0);
  s.CoolDownUntil(kT0 + 600'000, "refused: 'Query rate exceeded'");
  s.CoolDownUntil(kT0 + 1000, "shorter ones do not shorten it");
  const Rejection r = Rejected(s.Submit(1, Priority::kClient, kT0 + 5000, kT0));
  EXPECT_EQ(r.reason, RejectReason::kRateLimited);
  EXPECT_EQ(r.retry_after_s, 600);
  EXPECT_EQ(r.message,
            "whois.nic.uk refused our queries (refused: 'Query rate exceeded'); cooling down for "
            "10m0s");
  auto q = std::get<Queued>(s.Submit(2, Priority::kClient, kT0 + 700'000, kT0));
  EXPECT_EQ(q.earliest_start_ms, kT0 + 600'000);
  EXPECT_TRUE(Ids(s.Poll(kT0 + 599'999)).empty());
  EXPECT_EQ(Ids(s.Poll(kT0 + 600'000)), std::vector<RequestId>{2});
}

TEST(HostScheduler, AssumeFullAfterRestart) {
  HostScheduler s("whois.dns.be", Spec("rate 100/h"), 16, kT0);
  s.AssumeFullAt(kT0);
  EXPECT_EQ(Rejected(s.Submit(1, Priority::kClient, kT0 + 60'000, kT0 + 10)).reason,
            RejectReason::kRateLimited);
  auto q = std::get<Queued>(s.Submit(2, Priority::kClient, kT0 + 4'000'000, kT0 + 10));
  EXPECT_EQ(q.earliest_start_ms, kT0 + 3'600'000 + JitterMarginMs(3'600'000));

  HostScheduler b("h", Spec("rate 1/s burst 10"), 16, kT0);
  b.AssumeFullAt(kT0);
  EXPECT_EQ(std::get<Queued>(b.Submit(1, Priority::kClient, kT0 + 5000, kT0)).earliest_start_ms,
            kT0 + 1000 + JitterMarginMs(1000));
}

TEST(HostScheduler, DailyQuotaWaitsForStoredReservation) {
  HostScheduler s("whois.nic.uk", Spec("rate 5/s daily 1000"), 16, kT0);
  // Nothing reserved yet: the request waits for the block to be stored.
  auto q = std::get<Queued>(s.Submit(1, Priority::kClient, kT0 + 5000, kT0));
  EXPECT_EQ(q.earliest_start_ms, kT0);
  EXPECT_TRUE(Ids(s.Poll(kT0)).empty());
  EXPECT_EQ(s.NextWakeMs(kT0), kT0 + 5001);  // waiting on OnReserved, an event
  auto r = s.TakeReservation();
  ASSERT_TRUE(r);
  EXPECT_FALSE(s.TakeReservation());
  EXPECT_EQ(r->encoded, "v1;1700000000000:50");
  ASSERT_TRUE(s.OnReserved(r->block, kT0 + 3));
  EXPECT_EQ(Ids(s.Poll(kT0 + 3)), std::vector<RequestId>{1});
  EXPECT_EQ(s.Stats(kT0 + 3).used_today, 1);
}

TEST(HostScheduler, DailyLimitMessageAndRestart) {
  HostScheduler s("whois.nic.uk", Spec("rate 5/s daily 1000"), 16, kT0);
  // A previous process reserved the whole day three hours ago.
  s.RestoreQuota({{kT0 - 3 * 3'600'000, 1000}}, kT0);
  const Rejection r = Rejected(s.Submit(1, Priority::kClient, kT0 + 5000, kT0));
  EXPECT_EQ(r.reason, RejectReason::kDailyLimit);
  EXPECT_EQ(RejectReasonName(r.reason), "daily_limit");
  EXPECT_EQ(r.message, "daily limit of 1000 queries reached for whois.nic.uk; resets in 21h15m");
  EXPECT_EQ(r.retry_after_s, 21 * 3600 + 15 * 60);
  EXPECT_FALSE(s.TakeReservation());
  EXPECT_EQ(s.Stats(kT0).used_today, 1000);
}

TEST(HostScheduler, FailedReservationIsRetriedLater) {
  HostScheduler s("h", Spec("daily 10"), 16, kT0);
  s.Submit(1, Priority::kClient, kT0 + 5000, kT0);
  auto r = s.TakeReservation();
  ASSERT_TRUE(r);
  s.OnReservationFailed(r->block, kT0 + 10);
  EXPECT_EQ(s.NextWakeMs(kT0 + 10), kT0 + 10 + HostScheduler::kReservationRetryMs);
  Ids(s.Poll(kT0 + 20));
  EXPECT_FALSE(s.TakeReservation());  // not before the retry time
  Ids(s.Poll(kT0 + 1010));
  r = s.TakeReservation();
  ASSERT_TRUE(r);
  ASSERT_TRUE(s.OnReserved(r->block, kT0 + 1010));
  EXPECT_EQ(Ids(s.Poll(kT0 + 1010)), std::vector<RequestId>{1});
}

TEST(HostScheduler, LoweredLimitAppliesToWindowInProgress) {
  HostScheduler s("h", Spec("rate 10/m"), 16, kT0);
  for (RequestId id = 1; id <= 4; ++id) {
    ASSERT_TRUE(IsAdmitted(s.Submit(id, Priority::kClient, kT0 + 100'000, kT0 + 1000 * id)));
  }
  s.SetSpec(Spec("rate 3/m"), kT0 + 5000);
  EXPECT_EQ(
      std::get<Queued>(s.Submit(5, Priority::kClient, kT0 + 90'000, kT0 + 5000)).earliest_start_ms,
      kT0 + 62'000 + JitterMarginMs(60'000));  // the 3rd most recent start (at 2 s) + 60 s
  // A daily cap added at run time counts the starts already made.
  s.SetSpec(Spec("rate 3/m daily 5"), kT0 + 6000);
  EXPECT_EQ(s.Stats(kT0 + 6000).used_today, 4);
}

}  // namespace
}  // namespace whois::limits
