// SingleFlight against a real redis-server the test starts, with two "proxies" (each its own
// FleetClient, SharedRecords and SingleFlight) on one loop: the first claim takes the lease and
// the second waits for the record; a lease whose holder never releases it is taken over when it
// expires; a release finds a lease taken over and leaves it; Redis gone means no wait.
#include "storage/fleet/single_flight.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>

#include "fresh_record.h"
#include "one_redis_test.h"
#include "redis_server.h"
#include "storage/fleet/fleet_record.h"
#include "uv_test_loop.h"

namespace storage::fleet {
namespace {

using test_support::RedisCall;
using test_support::ReplyText;

bool AnyRecord(const Record&) { return true; }

// One proxy's view of the fleet.
struct Member {
  Member(uv_loop_t* loop, const std::string& address, const std::string& name,
         LeasePolicy policy = {}) {
    client = std::make_unique<FleetClient>(loop, fleet_test::ClientOptionsFor({address}));
    records =
        std::make_unique<RedisSharedRecords>(client.get(), RedisSharedRecords::Options{}, &WallMs);
    SingleFlight::Options so;
    so.node_name = name;
    so.policy = policy;
    flight = std::make_unique<SingleFlight>(loop, client.get(), records.get(), so, &WallMs);
  }
  ~Member() {
    flight.reset();
    client->Close();
  }
  // Claims `domain` with a deadline `deadline_in_ms` from now; the outcome lands in *out.
  void Claim(const std::string& domain, int64_t deadline_in_ms,
             std::optional<SingleFlight::Outcome>* out, SingleFlight::Usable usable = &AnyRecord) {
    flight->Claim(domain, WallMs() + deadline_in_ms, std::move(usable),
                  [out](SingleFlight::Outcome o) { *out = std::move(o); });
  }
  std::unique_ptr<FleetClient> client;
  std::unique_ptr<RedisSharedRecords> records;
  std::unique_ptr<SingleFlight> flight;
};

class SingleFlightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(redis_.Start(&error)) << error;
    rc_ = redis_.Connect();
    ASSERT_TRUE(rc_);
  }
  std::string Redis(const std::vector<std::string>& argv) {
    return ReplyText(RedisCall(rc_.get(), argv).get());
  }

  test_support::RedisServer redis_;
  test_support::RedisConnection rc_;
  test_support::UvTestLoop loop_;
};

TEST_F(SingleFlightTest, TheFirstTakesTheLeaseTheOthersWaitForTheRecord) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  Member b(loop_.get(), redis_.address(), "proxy-b");
  Member c(loop_.get(), redis_.address(), "proxy-c");
  std::optional<SingleFlight::Outcome> got_a, got_b, got_c;
  a.Claim("one.test", 4000, &got_a);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_a.has_value(); }));
  ASSERT_FALSE(got_a->has_record);
  ASSERT_FALSE(got_a->lease.empty());
  EXPECT_EQ(got_a->lease.rfind("proxy-a/", 0), 0u) << got_a->lease;
  // The lease holds the holder's token, for the lookup's time left plus the grace (5 s).
  EXPECT_EQ(Redis({"GET", "{wp:one.test}l"}), got_a->lease);
  int64_t pttl = std::stoll(Redis({"PTTL", "{wp:one.test}l"}));
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 5000);
  EXPECT_EQ(a.flight->stats().taken, 1u);

  b.Claim("one.test", 4000, &got_b);
  c.Claim("one.test", 4000, &got_c);
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return b.flight->stats().waited == 1 && c.flight->stats().waited == 1; }));
  EXPECT_FALSE(got_b.has_value());
  EXPECT_FALSE(got_c.has_value());

  // The holder publishes, then releases: the waiters get the record, and no lease.
  Record rec = FreshRecord("one.test");
  a.records->Publish("one.test", rec);
  a.flight->Release("one.test", got_a->lease);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_b.has_value() && got_c.has_value(); }));
  EXPECT_TRUE(got_b->has_record);
  EXPECT_TRUE(got_c->has_record);
  EXPECT_EQ(got_b->record.json, rec.json);
  EXPECT_EQ(got_c->record.json, rec.json);
  EXPECT_TRUE(got_b->lease.empty());
  EXPECT_EQ(a.flight->stats().released, 1u);
  EXPECT_EQ(Redis({"EXISTS", "{wp:one.test}l"}), "0");
  EXPECT_EQ(b.flight->stats().taken + b.flight->stats().taken_over, 0u);
  EXPECT_EQ(b.flight->claims(), 0u);
}

// The lease scripts run as every fleet script does (fleet_script.h): by SHA once the script is
// loaded, and again as EVAL when the server forgot it.
TEST_F(SingleFlightTest, LeaseScriptsRunBySha1AndSurviveAFlushedScriptCache) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  auto claim_and_release = [&](const std::string& domain) {
    std::optional<SingleFlight::Outcome> got;
    a.Claim(domain, 4000, &got);
    ASSERT_TRUE(loop_.RunUntil([&] { return got.has_value(); }));
    ASSERT_FALSE(got->lease.empty()) << domain;
    uint64_t released = a.flight->stats().released;
    a.flight->Release(domain, got->lease);
    ASSERT_TRUE(loop_.RunUntil([&] { return a.flight->stats().released == released + 1; }));
    EXPECT_EQ(Redis({"EXISTS", "{wp:" + domain + "}l"}), "0") << domain;
  };
  auto calls = [&](const std::string& command) {
    std::string stats = Redis({"INFO", "commandstats"});
    size_t at = stats.find("cmdstat_" + command + ":calls=");
    if (at == std::string::npos) return 0ll;
    return std::stoll(stats.substr(at + command.size() + 15));
  };
  for (int i = 0; i < 3; ++i) claim_and_release("sha" + std::to_string(i) + ".test");
  // The first take and the first release went as EVAL (while SCRIPT LOAD was answered); the
  // others by SHA.
  EXPECT_EQ(calls("eval"), 2);
  EXPECT_EQ(calls("evalsha"), 4);
  // A restarted server forgets its scripts: NOSCRIPT, then EVAL, and the lease works as before.
  ASSERT_EQ(Redis({"SCRIPT", "FLUSH"}), "OK");
  claim_and_release("flushed.test");
  EXPECT_EQ(calls("eval"), 4);
  EXPECT_EQ(a.flight->stats().errors, 0u);
}

TEST_F(SingleFlightTest, ALeaseReleasedWithoutARecordIsTakenOver) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  Member b(loop_.get(), redis_.address(), "proxy-b");
  std::optional<SingleFlight::Outcome> got_a, got_b;
  a.Claim("fail.test", 4000, &got_a);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_a.has_value(); }));
  b.Claim("fail.test", 4000, &got_b);
  ASSERT_TRUE(loop_.RunUntil([&] { return b.flight->stats().waited == 1; }));
  // The holder's lookup failed (nothing to publish): it releases, and the waiter resolves.
  a.flight->Release("fail.test", got_a->lease);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_b.has_value(); }));
  EXPECT_FALSE(got_b->has_record);
  ASSERT_FALSE(got_b->lease.empty());
  EXPECT_NE(got_b->lease, got_a->lease);
  EXPECT_EQ(b.flight->stats().taken_over, 1u);
  EXPECT_EQ(Redis({"GET", "{wp:fail.test}l"}), got_b->lease);
}

TEST_F(SingleFlightTest, AnExpiredLeaseIsTakenOverAndItsHoldersReleaseIsLost) {
  LeasePolicy short_lease;
  short_lease.grace_ms = 300;
  short_lease.min_ms = 300;
  Member dead(loop_.get(), redis_.address(), "proxy-dead", short_lease);
  Member b(loop_.get(), redis_.address(), "proxy-b");
  std::optional<SingleFlight::Outcome> got_dead, got_b;
  // A deadline already past: the lease is the minimum, 300 ms.
  dead.Claim("orphan.test", 0, &got_dead);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_dead.has_value(); }));
  ASSERT_FALSE(got_dead->lease.empty());
  auto start = std::chrono::steady_clock::now();
  b.Claim("orphan.test", 4000, &got_b);
  // The holder never releases (it died): the lease expires and the waiter takes it.
  ASSERT_TRUE(loop_.RunUntil([&] { return got_b.has_value(); }));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(got_b->has_record);
  ASSERT_FALSE(got_b->lease.empty());
  EXPECT_EQ(b.flight->stats().waited, 1u);
  EXPECT_EQ(b.flight->stats().taken_over, 1u);
  // Not before the lease ended (Redis's clock, a millisecond or two of rounding).
  EXPECT_GE(waited, std::chrono::milliseconds(250));

  // The first holder was only slow: its release must not delete the new holder's lease.
  dead.flight->Release("orphan.test", got_dead->lease);
  ASSERT_TRUE(loop_.RunUntil([&] { return dead.flight->stats().lost == 1; }));
  EXPECT_EQ(Redis({"GET", "{wp:orphan.test}l"}), got_b->lease);
  EXPECT_EQ(dead.flight->stats().released, 0u);
}

TEST_F(SingleFlightTest, ALeaseTakenOverPastTheDeadlineGetsTheWholeBudgetAgain) {
  Member dead(loop_.get(), redis_.address(), "proxy-dead");
  Member b(loop_.get(), redis_.address(), "proxy-b");
  std::optional<SingleFlight::Outcome> got_dead, got_b;
  dead.Claim("late.test", 1500, &got_dead);  // a lease of 2.5 s
  ASSERT_TRUE(loop_.RunUntil([&] { return got_dead.has_value(); }));
  // B's lookup has 1 s: its deadline passes while the dead holder's lease runs.
  b.Claim("late.test", 1000, &got_b);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_b.has_value(); }));
  ASSERT_FALSE(got_b->lease.empty());
  EXPECT_EQ(b.flight->stats().taken_over, 1u);
  // It resolves with a second as long as it had (not a deadline already gone), under a lease
  // that covers it (1 s + the grace, not the 1 s minimum).
  int64_t left = got_b->deadline_ms - WallMs();
  EXPECT_GT(left, 500);
  EXPECT_LE(left, 1000);
  EXPECT_GT(std::stoll(Redis({"PTTL", "{wp:late.test}l"})), 1000);
  // A claim that did not wait keeps its own deadline.
  EXPECT_LE(got_dead->deadline_ms - WallMs(), 1500);
}

TEST_F(SingleFlightTest, ARecordTheLookupCannotUseDoesNotStopIt) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  a.records->Publish("old.test", FreshRecord("old.test"));
  ASSERT_TRUE(loop_.RunUntil([&] { return Redis({"EXISTS", "{wp:old.test}r"}) == "1"; }));
  std::optional<SingleFlight::Outcome> got;
  // A refresh: the shared record is the one it is replacing.
  a.Claim("old.test", 4000, &got, [](const Record&) { return false; });
  ASSERT_TRUE(loop_.RunUntil([&] { return got.has_value(); }));
  EXPECT_FALSE(got->has_record);
  EXPECT_FALSE(got->lease.empty());
  // A usable one answers the claim, with no lease taken.
  std::optional<SingleFlight::Outcome> usable;
  Member b(loop_.get(), redis_.address(), "proxy-b");
  b.Claim("old.test", 4000, &usable);
  ASSERT_TRUE(loop_.RunUntil([&] { return usable.has_value(); }));
  EXPECT_TRUE(usable->has_record);
  EXPECT_TRUE(usable->lease.empty());
  EXPECT_EQ(b.flight->stats().taken + b.flight->stats().waited, 0u);
}

TEST_F(SingleFlightTest, WithRedisGoneAClaimEndsAtOnceWithoutALease) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  redis_.Stop();
  std::optional<SingleFlight::Outcome> got;
  a.Claim("gone.test", 4000, &got);
  ASSERT_TRUE(loop_.RunUntil([&] { return got.has_value(); }));
  EXPECT_FALSE(got->has_record);
  EXPECT_TRUE(got->lease.empty());
  EXPECT_EQ(a.flight->stats().errors, 1u);
  EXPECT_EQ(a.flight->stats().waited, 0u);
}

// A proxy shutting down destroys its SingleFlight and SharedRecords before it closes the
// FleetClient, which then fails the commands still pending: their callbacks must not reach the
// destroyed objects.
TEST_F(SingleFlightTest, CommandsInFlightWhenTheFleetPartsAreDestroyedCallBackIntoNothing) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  std::optional<SingleFlight::Outcome> fetching, taking;
  a.Claim("fetching.test", 4000, &fetching);
  // Another claim, run until it takes its lease, so the take script is loaded; then a release
  // and a claim whose take is in flight.
  a.Claim("taking.test", 4000, &taking);
  ASSERT_TRUE(loop_.RunUntil([&] { return taking.has_value() && fetching.has_value(); }));
  a.flight->Release("taking.test", taking->lease);
  std::optional<SingleFlight::Outcome> last;
  a.Claim("last.test", 4000, &last);
  a.flight.reset();
  ASSERT_TRUE(last.has_value());  // ended by the destructor's Cancel
  EXPECT_TRUE(last->lease.empty());
  // A record written in the background, never awaited.
  a.records->Publish("late.test", FreshRecord("late.test"));
  a.records.reset();
  a.client->Close();  // fails the release, the fetch and the write still pending
  loop_.RunUntil([] { return false; }, std::chrono::milliseconds(200));
}

TEST_F(SingleFlightTest, CancelEndsWaitingClaims) {
  Member a(loop_.get(), redis_.address(), "proxy-a");
  Member b(loop_.get(), redis_.address(), "proxy-b");
  std::optional<SingleFlight::Outcome> got_a, got_b, late;
  a.Claim("wait.test", 4000, &got_a);
  ASSERT_TRUE(loop_.RunUntil([&] { return got_a.has_value(); }));
  b.Claim("wait.test", 4000, &got_b);
  ASSERT_TRUE(loop_.RunUntil([&] { return b.flight->stats().waited == 1; }));
  b.flight->Cancel();
  ASSERT_TRUE(got_b.has_value());
  EXPECT_FALSE(got_b->has_record);
  EXPECT_TRUE(got_b->lease.empty());
  // A claim after Cancel ends too, later, without Redis.
  b.Claim("other.test", 4000, &late);
  EXPECT_FALSE(late.has_value());
  ASSERT_TRUE(loop_.RunUntil([&] { return late.has_value(); }));
  EXPECT_TRUE(late->lease.empty());
  EXPECT_EQ(b.flight->claims(), 0u);
}

}  // namespace
}  // namespace storage::fleet
