// The fleet client's pure parts: CRC16 and hash-tag slots, the CLUSTER SLOTS map, MOVED/ASK
// parsing, seed addresses and the reconnect back-off.
#include <gtest/gtest.h>

#include "fleet_replies.h"
#include "storage/fleet/backoff.h"
#include "storage/fleet/fleet_record.h"
#include "storage/fleet/key_slot.h"
#include "storage/fleet/node_address.h"
#include "storage/fleet/redirect.h"
#include "storage/fleet/slot_map.h"

namespace storage::fleet {
namespace {

TEST(KeySlotTest, Crc16IsXmodem) {
  // The standard check value of CRC-16/XMODEM, which Redis Cluster uses.
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(Crc16(""), 0);
}

TEST(KeySlotTest, SlotsAsRedisComputesThem) {
  // Values from Redis's CLUSTER KEYSLOT (also compared live in fleet_client_test).
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("somekey"), 11058);
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
}

TEST(KeySlotTest, HashTagsPutOneDomainsKeysInOneSlot) {
  EXPECT_EQ(KeySlot("{wp:example.com}r"), KeySlot("{wp:example.com}lease"));
  EXPECT_EQ(KeySlot("{wp:example.com}r"), KeySlot("wp:example.com"));
  EXPECT_NE(KeySlot("{wp:example.com}r"), KeySlot("{wp:example.org}r"));
  // An empty tag is no tag: the whole key counts. Only the first '{' opens one.
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") % kClusterSlots);
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeySlot("foo{bar"), Crc16("foo{bar") % kClusterSlots);
}

TEST(NodeAddressTest, Parses) {
  auto a = ParseNodeAddress("127.0.0.1:6379");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  auto v6 = ParseNodeAddress("[::1]:7000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:7000");
  for (const char* bad : {"localhost", "host:0", "host:65536", "host:12x", ":6379", "::1:6379"})
    EXPECT_FALSE(ParseNodeAddress(bad)) << bad;
}

using fleet_test::Array;
using fleet_test::Int;
using fleet_test::Str;
Reply Range(int64_t first, int64_t last, std::string host, int64_t port) {
  // A master and one replica, as CLUSTER SLOTS lists them (the replica is not used).
  return Array({Int(first), Int(last), Array({Str(host), Int(port), Str("id1")}),
                Array({Str(host), Int(port + 1), Str("id2")})});
}

TEST(SlotMapTest, ParsesMastersOfEachRange) {
  SlotMap map;
  ASSERT_TRUE(map.Parse(Array({Range(0, 5460, "10.0.0.1", 7000), Range(5461, 10922, "", 7001),
                               Range(10923, 16383, "10.0.0.3", 7002)}),
                        "10.0.0.2")
                  .ok());
  EXPECT_EQ(map.covered(), kClusterSlots);
  ASSERT_EQ(map.nodes().size(), 3u);
  EXPECT_EQ(map.NodeFor(0)->ToString(), "10.0.0.1:7000");
  EXPECT_EQ(map.NodeFor(5460)->ToString(), "10.0.0.1:7000");
  // An empty host is the node that answered.
  EXPECT_EQ(map.NodeFor(5461)->ToString(), "10.0.0.2:7001");
  EXPECT_EQ(map.NodeFor(16383)->ToString(), "10.0.0.3:7002");
  EXPECT_EQ(map.NodeFor(16384), nullptr);
  EXPECT_EQ(map.NodeFor(-1), nullptr);
}

TEST(SlotMapTest, UncoveredSlotsHaveNoNode) {
  SlotMap map;
  ASSERT_TRUE(map.Parse(Array({Range(100, 199, "h", 1)}), "x").ok());
  EXPECT_EQ(map.covered(), 100);
  EXPECT_EQ(map.NodeFor(99), nullptr);
  EXPECT_NE(map.NodeFor(150), nullptr);
}

TEST(SlotMapTest, RefusesMalformedRepliesAndKeepsTheOldMap) {
  SlotMap map;
  ASSERT_TRUE(map.Parse(Array({Range(0, 16383, "h", 1)}), "x").ok());
  EXPECT_FALSE(map.Parse(Str("nope"), "x").ok());
  EXPECT_FALSE(map.Parse(Array({Range(0, 16384, "h", 1)}), "x").ok());
  EXPECT_FALSE(map.Parse(Array({Range(10, 5, "h", 1)}), "x").ok());
  EXPECT_FALSE(map.Parse(Array({Range(0, 5, "h", 0)}), "x").ok());
  EXPECT_FALSE(map.Parse(Array({Array({Int(0), Int(5)})}), "x").ok());
  EXPECT_FALSE(map.Parse(Array({Array({Int(0), Int(5), Array({Int(1), Int(2)})})}), "x").ok());
  EXPECT_EQ(map.covered(), kClusterSlots);
  EXPECT_EQ(map.NodeFor(7)->ToString(), "h:1");
}

TEST(SlotMapTest, AssignMovesOneSlot) {
  SlotMap map;
  ASSERT_TRUE(map.Parse(Array({Range(0, 16383, "a", 1)}), "x").ok());
  map.Assign(42, NodeAddress{"b", 2});
  EXPECT_EQ(map.NodeFor(42)->ToString(), "b:2");
  EXPECT_EQ(map.NodeFor(41)->ToString(), "a:1");
  EXPECT_EQ(map.nodes().size(), 2u);
}

TEST(RedirectTest, ParsesMovedAndAsk) {
  auto moved = ParseRedirect("MOVED 3999 127.0.0.1:6381", "x");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, Redirect::Kind::kMoved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->node.ToString(), "127.0.0.1:6381");
  auto ask = ParseRedirect("ASK 12182 10.1.2.3:7002", "x");
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, Redirect::Kind::kAsk);
  EXPECT_EQ(ask->slot, 12182);
  EXPECT_EQ(ask->node.port, 7002);
  // A node that does not know its address names only the port.
  auto bare = ParseRedirect("MOVED 1 :7005", "10.0.0.9");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->node.ToString(), "10.0.0.9:7005");
}

TEST(RedirectTest, OtherErrorsAreNoRedirect) {
  for (const char* error : {"ERR unknown command", "CLUSTERDOWN The cluster is down", "MOVED",
                            "MOVED 16384 h:1", "MOVED x h:1", "ASK 5 h", "MOVEDX 5 h:1"})
    EXPECT_FALSE(ParseRedirect(error, "x")) << error;
}

TEST(BackoffTest, DoublesUpToTheCap) {
  Backoff b{100, 1000};
  EXPECT_EQ(b.DelayMs(0), 0);
  EXPECT_EQ(b.DelayMs(1), 100);
  EXPECT_EQ(b.DelayMs(2), 200);
  EXPECT_EQ(b.DelayMs(4), 800);
  EXPECT_EQ(b.DelayMs(5), 1000);
  EXPECT_EQ(b.DelayMs(1000000), 1000);
}

TEST(BackoffTest, JitterTakesAtMostAQuarter) {
  Backoff b{100, 1000};
  EXPECT_EQ(b.DelayMs(5, 1.0), 750);
  EXPECT_EQ(b.DelayMs(5, 0.5), 875);
  EXPECT_EQ(b.DelayMs(5, 7.0), 750);  // clamped
  EXPECT_EQ(b.DelayMs(5, -1.0), 1000);
}

TEST(FleetRecordTest, KeyHasTheDomainAsHashTag) {
  EXPECT_EQ(RecordKey("wp", "example.com"), "{wp:example.com}r");
  EXPECT_EQ(KeySlot(RecordKey("farm", "example.com")), KeySlot("farm:example.com"));
}

TEST(FleetRecordTest, ExpiryIsRemainingFreshnessPlusStaleWindowCapped) {
  Record rec;
  rec.stale_at_ms = 10000;
  EXPECT_EQ(FleetExpiryMs(rec, 4000, 0, 1000000), 6000);
  EXPECT_EQ(FleetExpiryMs(rec, 4000, 500, 1000000), 6500);
  EXPECT_EQ(FleetExpiryMs(rec, 4000, 500, 2000), 2000);
  // Already stale: only what is left of the stale window.
  EXPECT_EQ(FleetExpiryMs(rec, 12000, 5000, 1000000), 3000);
  EXPECT_LE(FleetExpiryMs(rec, 12000, 0, 1000000), 0);
}

TEST(FleetRecordTest, OnlyAnswersAreShared) {
  Record rec;
  rec.status = RecordStatus::kRegistered;
  EXPECT_TRUE(SharedInFleet(rec));
  rec.status = RecordStatus::kNotFound;
  EXPECT_TRUE(SharedInFleet(rec));
  rec.status = RecordStatus::kFallback;
  EXPECT_FALSE(SharedInFleet(rec));
}

}  // namespace
}  // namespace storage::fleet
