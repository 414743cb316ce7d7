// The upstream gate in process, under the sources: a host's limits refuse with the reason the
// record gives, queue what can wait, and answer a queued request when its deadline passes;
// over a fake transport and the manual clock (in_process_fixture.h), no network.
#include <gtest/gtest.h>

#include <string>

#include "in_process_fixture.h"

namespace whois_resolver_test {
namespace {

constexpr const char* kRecord =
    "Domain Name: EXAMPLE.TEST\n"
    "Registrar: Example Registrar\n"
    "Creation Date: 2020-01-01T00:00:00Z\n";

TEST(UpstreamGateTest, ARateLimitRefusesAtOnceWhenItsTurnComesTooLate) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRecord);
  r.SetLimit("whois.nic.test", "rate 1/m");
  EXPECT_EQ(r.Lookup("a.test").outcome, whois::LookupOutcome::kFound);
  // The next start is a minute away; the client waits 5 s.
  whois::LookupResult got = r.Lookup("b.test", 5000);
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ(got.fallback_reason, whois::FallbackReason::kRateLimited);
  ASSERT_TRUE(got.retry_after_s.has_value());
  EXPECT_GT(*got.retry_after_s, 0);
  EXPECT_LE(*got.retry_after_s, 61);
  ASSERT_EQ(got.chain.size(), 1u);
  EXPECT_EQ(got.chain[0].failure, "limited:rate_limited");
  // Nothing was asked for the second lookup.
  EXPECT_EQ(r.whois.sent(), std::vector<std::string>{"whois.nic.test a.test"});
}

TEST(UpstreamGateTest, ADailyCapRefusesWithDailyLimitAfterReservingDurably) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRecord);
  r.SetLimit("whois.nic.test", "daily 1");
  EXPECT_EQ(r.Lookup("a.test").outcome, whois::LookupOutcome::kFound);
  // The quota was reserved (stored) before it was used.
  ASSERT_FALSE(r.persisted.empty());
  EXPECT_EQ(r.persisted.front(), "q:whois.nic.test");
  whois::LookupResult got = r.Lookup("b.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ(got.fallback_reason, whois::FallbackReason::kDailyLimit);
  EXPECT_EQ(r.whois.sent().size(), 1u);
}

TEST(UpstreamGateTest, AQueuedRequestIsAnsweredWhenItsDeadlinePasses) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRecord);
  auto first = r.OccupyOnlySlot("whois.nic.test");
  // The only slot is taken: the second waits in the host's queue, for at most 1 s.
  auto second = r.Start("b.test", 1000);
  ASSERT_TRUE(r.loop.RunUntil([&] { return r.Queued("whois.nic.test") == 1; }));
  EXPECT_FALSE(second->has_value());
  // Time passes (the manual clock), the gate looks again: past its deadline, it is answered.
  r.now_ms += 1500;
  r.gate().Pump();
  ASSERT_TRUE(r.loop.RunUntil([&] { return second->has_value(); }));
  EXPECT_EQ((*second)->outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ((*second)->fallback_reason, whois::FallbackReason::kRateLimited);
  EXPECT_EQ(r.whois.sent().size(), 1u);
  // The first still ends normally.
  r.whois.Release("whois.nic.test");
  ASSERT_TRUE(r.loop.RunUntil([&] { return first->has_value(); }));
  EXPECT_EQ((*first)->outcome, whois::LookupOutcome::kFound);
}

TEST(UpstreamGateTest, AQueuedRequestStartsWhenTheSlotFrees) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRecord);
  auto first = r.OccupyOnlySlot("whois.nic.test");
  auto second = r.Start("b.test", 5000);
  r.whois.Release("whois.nic.test");
  ASSERT_TRUE(r.loop.RunUntil([&] { return first->has_value() && second->has_value(); }));
  EXPECT_EQ((*second)->outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(r.whois.sent(),
            (std::vector<std::string>{"whois.nic.test a.test", "whois.nic.test b.test"}));
}

TEST(UpstreamGateTest, AQueuedRequestStartsWhenTheClockReachesItsTurn) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRecord);
  r.SetLimit("whois.nic.test", "rate 1/s");
  EXPECT_EQ(r.Lookup("a.test").outcome, whois::LookupOutcome::kFound);
  auto second = r.Start("b.test", 5000);
  ASSERT_TRUE(r.loop.RunUntil([&] { return r.Queued("whois.nic.test") == 1; }));
  EXPECT_EQ(r.whois.sent().size(), 1u);
  // A second later (and the window's jitter margin), its turn has come.
  r.now_ms += 1100;
  r.gate().Pump();
  ASSERT_TRUE(r.loop.RunUntil([&] { return second->has_value(); }));
  EXPECT_EQ((*second)->outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(r.whois.sent().size(), 2u);
}

TEST(UpstreamGateTest, ShutdownAnswersQueuedRequestsAsCancelled) {
  InProcessResolver r("whois-only");
  auto first = r.OccupyOnlySlot("whois.nic.test");
  auto second = r.Start("b.test", 5000);
  ASSERT_TRUE(r.loop.RunUntil([&] { return r.Queued("whois.nic.test") == 1; }));
  r.gate().CancelQueued();
  r.whois.CancelAll();
  ASSERT_TRUE(r.loop.RunUntil([&] { return first->has_value() && second->has_value(); }));
  EXPECT_EQ((*first)->outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ((*second)->outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ((*second)->fallback_reason, whois::FallbackReason::kUnreachable);
}

}  // namespace
}  // namespace whois_resolver_test
