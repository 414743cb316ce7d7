// The fleet's Lua scripts against a real redis-server the test starts: the `scope all` budget's
// window, concurrency slots (freed, and expiring when their holder dies), daily cap and carry
// (budget_script.h), the heartbeat's live list and expiry (fleet_members.h), and EVALSHA's
// fall-back to EVAL on NOSCRIPT (fleet_script.h). Time is moved by rewriting the stored times
// where a test would otherwise wait a window out.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fleet_replies.h"
#include "one_redis_test.h"
#include "redis_server.h"
#include "storage/fleet/budget_script.h"
#include "storage/fleet/fleet_members.h"
#include "storage/fleet/fleet_script.h"
#include "wait_until.h"

namespace storage::fleet {
namespace {

using fleet_test::Result;
using test_support::RedisCall;
using test_support::ReplyText;

class FleetScriptsTest : public fleet_test::OneRedisTest {
 protected:
  void SetUp() override {
    OneRedisTest::SetUp();
    if (HasFatalFailure()) return;
    acquire_ = std::make_unique<FleetScript>(client_.get(), kAcquireScript);
    finish_ = std::make_unique<FleetScript>(client_.get(), kFinishScript);
    carry_ = std::make_unique<FleetScript>(client_.get(), kCarryScript);
    heartbeat_ = std::make_unique<FleetScript>(client_.get(), kHeartbeatScript);
    direct_ = redis_.Connect();
    ASSERT_TRUE(direct_);
  }
  void TearDown() override {
    acquire_.reset();
    finish_.reset();
    carry_.reset();
    heartbeat_.reset();
    OneRedisTest::TearDown();
  }

  Result Run(FleetScript& script, std::vector<std::string> keys, std::vector<std::string> args) {
    return fleet_test::RunUntilReply(loop_, [&](FleetClient::Callback done) {
      script.Run(std::move(keys), std::move(args), std::move(done));
    });
  }
  AcquireVerdict Acquire(const FleetLimits& limits, const std::string& token) {
    Result r = Run(*acquire_, {keys_.window, keys_.slots, keys_.daily}, AcquireArgs(limits, token));
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    AcquireVerdict v;
    Status st = ParseAcquireReply(r.reply, &v);
    EXPECT_TRUE(st.ok()) << st.ToString() << " " << r.reply.str;
    return v;
  }
  void Finish(const std::string& token, bool release) {
    Result r = Run(*finish_, {keys_.window, keys_.slots}, FinishArgs(token, release));
    ASSERT_TRUE(r.status.ok() && !r.reply.is_error()) << r.status.ToString() << r.reply.str;
  }
  // Moves every start of the budget's window `ms` into the past.
  void AgeWindow(int64_t ms) {
    auto all = RedisCall(direct_.get(), {"ZRANGE", keys_.window, "0", "-1", "WITHSCORES"});
    ASSERT_TRUE(all && all->type == REDIS_REPLY_ARRAY);
    for (size_t i = 0; i + 1 < all->elements; i += 2) {
      int64_t score = std::stoll(ReplyText(all->element[i + 1]));
      RedisCall(direct_.get(),
                {"ZADD", keys_.window, std::to_string(score - ms), ReplyText(all->element[i])});
    }
  }

  test_support::RedisConnection direct_;
  std::unique_ptr<FleetScript> acquire_, finish_, carry_, heartbeat_;
  BudgetKeys keys_ = FleetBudgetKeys("wp", "whois.nic.test");
};

FleetLimits Window(int64_t count, int64_t window_ms) {
  FleetLimits l;
  l.rates = {{count, window_ms}};
  l.slot_ttl_ms = 30000;
  l.unsent_hold_ms = 30000;
  return l;
}

TEST_F(FleetScriptsTest, AWindowGrantsItsCountThenSaysWhenItOpens) {
  FleetLimits l = Window(3, 1000);
  for (int i = 0; i < 3; ++i) {
    AcquireVerdict v = Acquire(l, "t" + std::to_string(i));
    EXPECT_TRUE(v.granted()) << i;
    EXPECT_GT(v.redis_now_ms, 1600000000000);
  }
  // Unsent starts count as made now: the script cannot tell when they will leave.
  AcquireVerdict full = Acquire(l, "t3");
  EXPECT_EQ(full.why, AcquireVerdict::Why::kRate);
  EXPECT_EQ(full.wait_ms, -1);
  for (int i = 0; i < 3; ++i) Finish("t" + std::to_string(i), false);
  // Written now: the window opens one window after the oldest.
  full = Acquire(l, "t3");
  EXPECT_EQ(full.why, AcquireVerdict::Why::kRate);
  EXPECT_GT(full.wait_ms, 0);
  EXPECT_LE(full.wait_ms, 1000);
  // One start leaves the window: exactly one more is granted.
  auto oldest = RedisCall(direct_.get(), {"ZRANGE", keys_.window, "0", "0"});
  ASSERT_TRUE(oldest && oldest->elements == 1);
  std::string first = ReplyText(oldest->element[0]);
  RedisCall(direct_.get(), {"ZADD", keys_.window, "1000", first});
  AcquireVerdict t4 = Acquire(l, "t4");
  EXPECT_TRUE(t4.granted());
  AcquireVerdict t5 = Acquire(l, "t5");
  EXPECT_FALSE(t5.granted()) << ReplyText(RedisCall(direct_.get(), {"ZCARD", keys_.window}).get())
                             << " now " << t5.redis_now_ms;
  // The whole window ages out (t4 written first: an unsent start never does): three more.
  Finish("t4", false);
  AgeWindow(5000);
  for (int i = 6; i < 9; ++i) EXPECT_TRUE(Acquire(l, "t" + std::to_string(i)).granted()) << i;
  EXPECT_FALSE(Acquire(l, "t9").granted());
}

TEST_F(FleetScriptsTest, EveryWindowMustHold) {
  FleetLimits l;
  l.rates = {{5, 1000}, {2, 60000}};
  l.unsent_hold_ms = 30000;
  EXPECT_TRUE(Acquire(l, "a").granted());
  EXPECT_TRUE(Acquire(l, "b").granted());
  Finish("a", false);
  Finish("b", false);
  AgeWindow(2000);  // out of the 1 s window, still in the minute's
  AcquireVerdict v = Acquire(l, "c");
  EXPECT_EQ(v.why, AcquireVerdict::Why::kRate);
  EXPECT_GT(v.wait_ms, 50000);
  EXPECT_LE(v.wait_ms, 60000);
}

TEST_F(FleetScriptsTest, ConcurrencySlotsAreFreedAndExpireWhenTheirHolderDies) {
  FleetLimits l;
  l.concurrency = 2;
  l.slot_ttl_ms = 1000;  // long enough for the first six calls on a loaded machine
  EXPECT_TRUE(Acquire(l, "a").granted());
  EXPECT_TRUE(Acquire(l, "b").granted());
  AcquireVerdict full = Acquire(l, "c");
  EXPECT_EQ(full.why, AcquireVerdict::Why::kConcurrency);
  EXPECT_EQ(full.wait_ms, -1);
  Finish("a", true);
  EXPECT_TRUE(Acquire(l, "c").granted());
  EXPECT_FALSE(Acquire(l, "d").granted());
  // Nobody releases b and c (their proxy died): their slots come back when they expire.
  // b's comes back first and c's a moment later (it was taken later): one wait each.
  EXPECT_TRUE(test_support::WaitUntil([&] { return Acquire(l, "d").granted(); }));
  EXPECT_TRUE(test_support::WaitUntil([&] { return Acquire(l, "e").granted(); }));
  // The grant of e dropped both dead slots: only d's and e's are held.
  EXPECT_EQ(ReplyText(RedisCall(direct_.get(), {"ZCARD", keys_.slots}).get()), "2");
}

TEST_F(FleetScriptsTest, ADailyCapHoldsAndSaysWhenTheDayMovesOn) {
  FleetLimits l;
  l.daily = 2;
  AcquireVerdict v = Acquire(l, "a");
  EXPECT_TRUE(v.granted());
  EXPECT_EQ(v.daily_used, 1);
  EXPECT_TRUE(Acquire(l, "b").granted());
  v = Acquire(l, "c");
  EXPECT_EQ(v.why, AcquireVerdict::Why::kDaily);
  EXPECT_EQ(v.daily_used, 2);
  EXPECT_GT(v.wait_ms, 0);
  EXPECT_LE(v.wait_ms, 3600 * 1000);  // rolling: the oldest hour leaves at the next hour
  // Counts older than the 25 hours that touch the last 24 are dropped.
  RedisCall(direct_.get(), {"DEL", keys_.daily});
  RedisCall(direct_.get(), {"HSET", keys_.daily, "h1", "100"});
  EXPECT_TRUE(Acquire(l, "d").granted());
  EXPECT_EQ(ReplyText(RedisCall(direct_.get(), {"HEXISTS", keys_.daily, "h1"}).get()), "0");
  // A UTC day: the wait runs to midnight.
  FleetLimits utc = l;
  utc.utc_day = true;
  keys_ = FleetBudgetKeys("wp", "whois.nic.utc");
  EXPECT_TRUE(Acquire(utc, "a").granted());
  EXPECT_TRUE(Acquire(utc, "b").granted());
  v = Acquire(utc, "c");
  EXPECT_EQ(v.why, AcquireVerdict::Why::kDaily);
  EXPECT_LE(v.wait_ms, 86400 * 1000);
}

TEST_F(FleetScriptsTest, ACarryFillsEveryWindowAndAddsToTheDay) {
  FleetLimits l = Window(3, 60000);
  l.rates.push_back({2, 1000});
  l.daily = 10;
  EXPECT_TRUE(Acquire(l, "before").granted());
  Result r = Run(*carry_, {keys_.window, keys_.daily}, CarryArgs("carry:", 6, l));
  ASSERT_TRUE(r.status.ok() && !r.reply.is_error()) << r.reply.str;
  // The minute's window held one start: two more fill it; the second's is full then.
  EXPECT_EQ(r.reply.integer, 2);
  // The fill's starts are the oldest in the window, made now: it opens a minute later.
  AcquireVerdict v = Acquire(l, "a");
  EXPECT_EQ(v.why, AcquireVerdict::Why::kRate);
  EXPECT_GT(v.wait_ms, 59000);
  EXPECT_LE(v.wait_ms, 60000);
  Finish("before", false);
  AgeWindow(61000);
  v = Acquire(l, "a");
  EXPECT_TRUE(v.granted());
  EXPECT_EQ(v.daily_used, 8);  // before, 6 carried, a
}

TEST_F(FleetScriptsTest, EvalshaFallsBackToEvalWhenTheServerForgotTheScript) {
  FleetLimits l = Window(100, 1000);
  EXPECT_TRUE(Acquire(l, "a").granted());
  ASSERT_TRUE(test_support::WaitUntil([&] {
    Acquire(l, "x");
    return !acquire_->sha().empty();
  }));
  EXPECT_TRUE(Acquire(l, "b").granted());
  EXPECT_EQ(acquire_->noscript_fallbacks(), 0u);
  RedisCall(direct_.get(), {"SCRIPT", "FLUSH"});
  EXPECT_TRUE(Acquire(l, "c").granted());
  EXPECT_EQ(acquire_->noscript_fallbacks(), 1u);
  EXPECT_EQ(ReplyText(RedisCall(direct_.get(), {"ZCARD", keys_.window}).get()), "4");
}

TEST_F(FleetScriptsTest, TheHeartbeatListsLiveProxiesAndDropsOnesThatStopped) {
  MemberKeys keys = FleetMemberKeys("wp");
  auto beat = [&](const std::string& name, int64_t in_flight, int64_t expiry_ms) {
    FleetMember m;
    m.name = name;
    m.sources = {"127.0.0.11", "127.0.0.12"};
    m.lookups_in_flight = in_flight;
    Result r = Run(*heartbeat_, {keys.nodes, keys.seen}, HeartbeatArgs(m, expiry_ms));
    int64_t now = 0;
    std::vector<FleetMember> live;
    Status st = r.status.ok() ? ParseHeartbeatReply(r.reply, &now, &live) : r.status;
    EXPECT_TRUE(st.ok()) << st.ToString() << r.reply.str;
    return live;
  };
  beat("b", 0, 60000);
  beat("c", 0, 300);
  std::vector<FleetMember> live = beat("a", 3, 60000);
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0].name, "a");
  EXPECT_EQ(live[0].lookups_in_flight, 3);
  EXPECT_EQ(live[0].sources, (std::vector<std::string>{"127.0.0.11", "127.0.0.12"}));
  EXPECT_GT(live[0].last_heartbeat_ms, 1600000000000);
  // c stops beating: gone once its expiry has passed.
  EXPECT_TRUE(test_support::WaitUntil([&] { return beat("a", 0, 60000).size() == 2; }));
  EXPECT_EQ(ReplyText(RedisCall(direct_.get(), {"HEXISTS", keys.nodes, "c"}).get()), "0");
  EXPECT_NE(ReplyText(RedisCall(direct_.get(), {"PTTL", keys.nodes}).get()), "-1");
}

}  // namespace
}  // namespace storage::fleet
