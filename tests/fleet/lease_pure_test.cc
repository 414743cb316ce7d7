// Single-flight leases' pure parts: the lease key and token, the lease's length against the
// lookup's deadline, the poll back-off, the script's replies, and how a script is routed in a
// Cluster (by its first key, not by its text).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage/fleet/fleet_record.h"
#include "storage/fleet/key_slot.h"
#include "storage/fleet/lease.h"

namespace storage::fleet {
namespace {

TEST(LeaseTest, TheLeaseKeySharesTheRecordsSlot) {
  EXPECT_EQ(LeaseKey("wp", "example.com"), "{wp:example.com}l");
  EXPECT_EQ(LeaseKey("fleet2", "a.test"), "{fleet2:a.test}l");
  for (const char* domain : {"example.com", "a.test", "xn--bcher-kva.de"})
    EXPECT_EQ(KeySlot(LeaseKey("wp", domain)), KeySlot(RecordKey("wp", domain))) << domain;
  EXPECT_NE(LeaseKey("wp", "a.test"), RecordKey("wp", "a.test"));
}

TEST(LeaseTest, TokensNameTheNodeAndDifferPerLeaseAndProcess) {
  std::string t = LeaseToken("proxy-1", 0xabcdef, 7);
  EXPECT_EQ(t, "proxy-1/0000000000abcdef-7");
  EXPECT_EQ(t.rfind("proxy-1/", 0), 0u);
  std::set<std::string> tokens;
  for (uint64_t serial = 1; serial <= 100; ++serial)
    tokens.insert(LeaseToken("proxy-1", 42, serial));
  tokens.insert(LeaseToken("proxy-1", 43, 1));  // the same name restarted
  EXPECT_EQ(tokens.size(), 101u);
}

TEST(LeaseTest, TheLeaseIsBoundedByTheLookupsDeadline) {
  LeasePolicy p;  // grace 1 s, between 1 s and 61 s
  const int64_t now = 1'000'000;
  EXPECT_EQ(p.LeaseMs(now + 4500, now), 5500);      // a client's lookup-timeout
  EXPECT_EQ(p.LeaseMs(now + 60'000, now), 61'000);  // a background lookup's budget
  EXPECT_EQ(p.LeaseMs(now + 600'000, now), 61'000);
  // A deadline already past still gets a lease long enough to store and publish.
  EXPECT_EQ(p.LeaseMs(now - 5000, now), 1000);
  EXPECT_EQ(p.LeaseMs(now + 10, now), 1010);
}

TEST(LeaseTest, PollsBackOffFromQuickToTwiceASecond) {
  LeasePolicy p;
  EXPECT_EQ(p.PollDelayMs(0), 25);
  EXPECT_EQ(p.PollDelayMs(1), 50);
  EXPECT_EQ(p.PollDelayMs(2), 100);
  EXPECT_EQ(p.PollDelayMs(3), 200);
  EXPECT_EQ(p.PollDelayMs(4), 400);
  EXPECT_EQ(p.PollDelayMs(5), 500);
  EXPECT_EQ(p.PollDelayMs(1000), 500);
  // A lease of the longest kind is watched with a bounded number of polls.
  int64_t waited = 0;
  uint32_t polls = 0;
  while (waited < p.max_ms) waited += p.PollDelayMs(polls++);
  EXPECT_LT(polls, 130u);
}

TEST(LeaseTest, TakeCallRoutesByTheRecordKey) {
  LeaseScriptCall take = TakeLeaseCall("wp", "a.test", "n/1-1", 5500, true);
  EXPECT_EQ(take.keys, (std::vector<std::string>{"{wp:a.test}r", "{wp:a.test}l"}));
  EXPECT_EQ(take.args, (std::vector<std::string>{"n/1-1", "5500", "1"}));
  EXPECT_EQ(TakeLeaseCall("wp", "a.test", "n/1-1", 5500, false).args[2], "0");
  // FleetScript sends EVALSHA <sha> <numkeys> keys... args...: routed by the first key.
  std::vector<std::string> argv = {"EVALSHA", "0123abcd", "2"};
  argv.insert(argv.end(), take.keys.begin(), take.keys.end());
  argv.insert(argv.end(), take.args.begin(), take.args.end());
  EXPECT_EQ(RoutingKey(argv), "{wp:a.test}r");
  LeaseScriptCall release = ReleaseLeaseCall("wp", "a.test", "n/1-1");
  EXPECT_EQ(release.keys, std::vector<std::string>{"{wp:a.test}l"});
  EXPECT_EQ(release.args, std::vector<std::string>{"n/1-1"});
}

TEST(LeaseTest, RoutingKeyOfOtherCommands) {
  EXPECT_EQ(RoutingKey({"GET", "k"}), "k");
  EXPECT_EQ(RoutingKey({"evalsha", "abc", "1", "k", "v"}), "k");
  EXPECT_EQ(RoutingKey({"EVAL_RO", "return 1", "1", "k"}), "k");
  EXPECT_EQ(RoutingKey({"EVAL", "return 1", "0"}), "");
  EXPECT_EQ(RoutingKey({"PING"}), "");
  EXPECT_EQ(RoutingKey({}), "");
}

TEST(LeaseTest, TakeRepliesAreParsed) {
  Reply r;
  r.type = Reply::Type::kInteger;
  TakeResult got = TakeResult::kTaken;
  r.integer = 0;
  ASSERT_TRUE(ParseTakeReply(r, &got).ok());
  EXPECT_EQ(got, TakeResult::kHeld);
  r.integer = 1;
  ASSERT_TRUE(ParseTakeReply(r, &got).ok());
  EXPECT_EQ(got, TakeResult::kTaken);
  r.integer = 2;
  ASSERT_TRUE(ParseTakeReply(r, &got).ok());
  EXPECT_EQ(got, TakeResult::kRecordExists);
  r.integer = 3;
  EXPECT_FALSE(ParseTakeReply(r, &got).ok());
  Reply err;
  err.type = Reply::Type::kError;
  err.str = "NOSCRIPT No matching script";
  Status st = ParseTakeReply(err, &got);
  EXPECT_TRUE(st.IsIOError());
  EXPECT_NE(st.message().find("NOSCRIPT"), std::string::npos);
  Reply nil;
  EXPECT_FALSE(ParseTakeReply(nil, &got).ok());
}

}  // namespace
}  // namespace storage::fleet
