// The pure parts of the fleet's budgets and heartbeat (budget_script.h, fleet_members.h): keys
// in one slot, the scripts' arguments, and their replies parsed or refused.
#include <gtest/gtest.h>

#include "fleet_replies.h"
#include "storage/fleet/budget_script.h"
#include "storage/fleet/fleet_members.h"
#include "storage/fleet/key_slot.h"

namespace storage::fleet {
namespace {

using fleet_test::Array;
using fleet_test::Int;
using fleet_test::Str;

TEST(FleetBudgetKeysTest, OneBudgetsKeysShareOneSlotAndPrefixesSeparateFleets) {
  BudgetKeys k = FleetBudgetKeys("wp", "whois.nic.uk");
  EXPECT_EQ(k.window, "{wp:budget:whois.nic.uk}w");
  EXPECT_EQ(KeySlot(k.window), KeySlot(k.slots));
  EXPECT_EQ(KeySlot(k.window), KeySlot(k.daily));
  EXPECT_NE(FleetBudgetKeys("other", "whois.nic.uk").window, k.window);
  MemberKeys m = FleetMemberKeys("wp");
  EXPECT_EQ(KeySlot(m.nodes), KeySlot(m.seen));
  EXPECT_EQ(m.nodes, "{wp:fleet}nodes");
}

TEST(FleetBudgetArgsTest, LimitsAreSpelledInTheScriptsOrder) {
  FleetLimits l;
  l.rates = {{10, 2050}, {100, 3600250}};
  l.concurrency = 4;
  l.daily = 1000;
  l.utc_day = true;
  l.slot_ttl_ms = 25000;
  l.unsent_hold_ms = 26000;
  EXPECT_EQ(AcquireArgs(l, "p/1/7"),
            (std::vector<std::string>{"p/1/7", "25000", "26000", "4", "1000", "1", "2", "10",
                                      "2050", "100", "3600250"}));
  EXPECT_EQ(FinishArgs("p/1/7", true), (std::vector<std::string>{"p/1/7", "1"}));
  EXPECT_EQ(CarryArgs("c:", 5, l), (std::vector<std::string>{"c:", "5", "1", "3626250", "2", "10",
                                                             "2050", "100", "3600250"}));
}

TEST(AcquireReplyTest, VerdictsAreParsed) {
  AcquireVerdict v;
  ASSERT_TRUE(
      ParseAcquireReply(Array({Int(1), Str("ok"), Int(0), Int(1700000000000), Int(3)}), &v).ok());
  EXPECT_TRUE(v.granted());
  EXPECT_EQ(v.redis_now_ms, 1700000000000);
  EXPECT_EQ(v.daily_used, 3);
  ASSERT_TRUE(ParseAcquireReply(Array({Int(0), Str("rate"), Int(1234), Int(5), Int(0)}), &v).ok());
  EXPECT_EQ(v.why, AcquireVerdict::Why::kRate);
  EXPECT_EQ(v.wait_ms, 1234);
  ASSERT_TRUE(
      ParseAcquireReply(Array({Int(0), Str("concurrency"), Int(-1), Int(5), Int(0)}), &v).ok());
  EXPECT_EQ(v.why, AcquireVerdict::Why::kConcurrency);
  EXPECT_EQ(v.wait_ms, -1);
  ASSERT_TRUE(ParseAcquireReply(Array({Int(0), Str("daily"), Int(99), Int(5), Int(7)}), &v).ok());
  EXPECT_EQ(v.why, AcquireVerdict::Why::kDaily);
}

TEST(AcquireReplyTest, AnythingElseIsRefused) {
  AcquireVerdict v;
  Reply error;
  error.type = Reply::Type::kError;
  error.str = "ERR user_script:1: boom";
  Status st = ParseAcquireReply(error, &v);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_NE(st.message().find("boom"), std::string::npos);
  EXPECT_TRUE(ParseAcquireReply(Str("ok"), &v).IsCorruption());
  EXPECT_TRUE(ParseAcquireReply(Array({Int(1), Str("ok"), Int(0), Int(5)}), &v).IsCorruption());
  EXPECT_TRUE(
      ParseAcquireReply(Array({Int(1), Str("rate"), Int(0), Int(5), Int(0)}), &v).IsCorruption());
  EXPECT_TRUE(
      ParseAcquireReply(Array({Int(0), Str("what"), Int(0), Int(5), Int(0)}), &v).IsCorruption());
}

TEST(HeartbeatReplyTest, LiveMembersAreParsedByName) {
  FleetMember self;
  self.name = "b";
  self.sources = {"127.0.0.1", "::1"};
  self.lookups_in_flight = 4;
  EXPECT_EQ(HeartbeatArgs(self, 6000), (std::vector<std::string>{"b", "4\t127.0.0.1,::1", "6000"}));
  int64_t now = 0;
  std::vector<FleetMember> live;
  ASSERT_TRUE(ParseHeartbeatReply(
                  Array({Int(1700000000123), Str("b"), Str("1700000000100\t4\t127.0.0.1,::1"),
                         Str("a"), Str("1700000000000\t0\t")}),
                  &now, &live)
                  .ok());
  EXPECT_EQ(now, 1700000000123);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].name, "a");
  EXPECT_TRUE(live[0].sources.empty());
  EXPECT_EQ(live[1].name, "b");
  EXPECT_EQ(live[1].last_heartbeat_ms, 1700000000100);
  EXPECT_EQ(live[1].lookups_in_flight, 4);
  EXPECT_EQ(live[1].sources, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(HeartbeatReplyTest, MalformedEntriesAreRefused) {
  int64_t now = 0;
  std::vector<FleetMember> live;
  EXPECT_TRUE(ParseHeartbeatReply(Array({}), &now, &live).IsCorruption());
  EXPECT_TRUE(ParseHeartbeatReply(Array({Int(1), Str("a")}), &now, &live).IsCorruption());
  EXPECT_TRUE(
      ParseHeartbeatReply(Array({Int(1), Str("a"), Str("x\t0\t")}), &now, &live).IsCorruption());
  EXPECT_TRUE(
      ParseHeartbeatReply(Array({Int(1), Str("a"), Str("5\t0")}), &now, &live).IsCorruption());
  EXPECT_TRUE(ParseHeartbeatReply(Array({Int(1), Str("a"), Int(5)}), &now, &live).IsCorruption());
}

}  // namespace
}  // namespace storage::fleet
