// Several real whois-proxy processes sharing records through a real Redis (a single server and a
// 3-master Cluster the test starts), each going upstream from its own source address to a fake
// WHOIS registry that logs every query: a record one proxy resolved or imported is a hit on the
// others with no upstream query, stored locally so it survives the fleet's loss.
#include "fleet_proxies.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/fleet/fleet_record.h"
#include "storage/fleet/fleet_record_codec.h"
#include "storage/fleet/key_slot.h"
#include "wait_until.h"

// In fleet_test, so the fixture's names (fleet_proxies.h) are used as they are.
namespace fleet_test {
namespace {

TEST_F(FleetProxiesTest, ARecordResolvedOnOneIsAHitOnTheOthersOnASingleRedis) {
  StartRedis();
  StartRegistry();
  StartProxies(3, {redis_.address()});
  auto rc = redis_.Connect();
  ExpectSharedAcrossProxies("shared.test", [&] {
    return ReplyText(RedisCall(rc.get(), {"EXISTS", "{wp:shared.test}r"}).get()) == "1";
  });
  EXPECT_EQ(InfoField(*proxies_[0], "fleet_engine"), "single");
  EXPECT_EQ(InfoField(*proxies_[1], "fleet_lookups_answered"), "1");
  EXPECT_EQ(InfoField(*proxies_[1], "fleet_node_name"), "proxy-1");
  // The key expires with the record (30 days fresh + the stale window, capped at fleet-max-ttl).
  int64_t pttl = std::stoll(ReplyText(RedisCall(rc.get(), {"PTTL", "{wp:shared.test}r"}).get()));
  EXPECT_GT(pttl, 29ll * 86400 * 1000);
  EXPECT_LE(pttl, 30ll * 86400 * 1000);

  // Hits never touch Redis: asking again changes no fleet counter.
  std::string commands = InfoField(*proxies_[1], "fleet_commands");
  for (int i = 0; i < 5; ++i) Get(*proxies_[1], "shared.test");
  EXPECT_EQ(InfoField(*proxies_[1], "fleet_commands"), commands);

  // The record was stored locally too: with Redis gone, proxy 2 still answers it, and a miss
  // still resolves upstream (the fleet's failure costs no answer).
  redis_.Stop();
  ProxyProcess& p2 = *proxies_[2];
  p2.Stop();
  ASSERT_TRUE(p2.Start()) << p2.log();
  EXPECT_NE(Get(p2, "shared.test").find("Fleet Registrar"), std::string::npos);
  EXPECT_EQ(QueriesFor(registry_, "shared.test").size(), 1u);
  std::string miss = Get(p2, "alone.test");
  EXPECT_NE(miss.find("Fleet Registrar"), std::string::npos) << miss;
  EXPECT_EQ(QueriesFor(registry_, "alone.test"), std::vector<std::string>{"127.0.0.13"});
  // Redis's loss is counted and logged once, however many commands failed.
  Get(p2, "alone2.test");
  Get(p2, "alone3.test");
  EXPECT_EQ(InfoField(p2, "fleet_reachable"), "0");
  EXPECT_EQ(InfoField(p2, "fleet_state_changes"), "1");
  EXPECT_GE(std::stoi(InfoField(p2, "fleet_command_failures")), 3);
  std::string log = p2.log();
  size_t first = log.find("fleet: Redis unreachable");
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("fleet: Redis unreachable", first + 1), std::string::npos) << log;
}

TEST_F(FleetProxiesTest, AnImportedRecordIsSharedToo) {
  StartRedis();
  StartRegistry();
  StartProxies(2, {redis_.address()});
  auto c = proxies_[0]->Connect();
  auto r = Command(c.get(), {"SET", "imported.test",
                             R"({"domain":"imported.test","status":"registered",)"
                             R"("registrar":{"name":"Imported Registrar"}})"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS) << (r ? ReplyText(r.get()) : "no reply");
  auto rc = redis_.Connect();
  ASSERT_TRUE(WaitUntil([&] {
    return ReplyText(RedisCall(rc.get(), {"EXISTS", "{wp:imported.test}r"}).get()) == "1";
  }));
  std::string got = Get(*proxies_[1], "imported.test");
  EXPECT_NE(got.find("Imported Registrar"), std::string::npos) << got;
  EXPECT_TRUE(QueriesFor(registry_, "imported.test").empty());
  // Written in format 2 against the record dictionary (id 1).
  EXPECT_EQ(ReplyText(RedisCall(rc.get(), {"GETRANGE", "{wp:imported.test}r", "0", "1"}).get()),
            std::string("\x02\x01"));
}

// A value an older proxy wrote (format 1: no dictionary) is still a hit.
TEST_F(FleetProxiesTest, AValueOfAnOlderProxyIsStillRead) {
  StartRedis();
  StartRegistry();
  StartProxies(1, {redis_.address()});
  storage::Record rec;
  rec.fetched_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  rec.stale_at_ms = rec.fetched_at_ms + 86400000;
  rec.json = R"({"domain":"older.test","status":"registered",)"
             R"("registrar":{"name":"Older Proxy Registrar"}})";
  std::string value = storage::fleet::FleetRecordCodec({}, 0).Encode(rec);
  ASSERT_EQ(value[0], '\x01');
  auto rc = redis_.Connect();
  ASSERT_EQ(
      ReplyText(RedisCall(rc.get(), {"SET", "{wp:older.test}r", value, "PX", "600000"}).get()),
      "OK");
  std::string got = Get(*proxies_[0], "older.test");
  EXPECT_NE(got.find("Older Proxy Registrar"), std::string::npos) << got;
  EXPECT_TRUE(QueriesFor(registry_, "older.test").empty());
}

TEST_F(FleetProxiesTest, ARecordResolvedOnOneIsAHitOnTheOthersOnACluster) {
  StartCluster();
  StartRegistry();
  // Each proxy is given one seed, a different one: the others are learnt.
  StartProxies(1, {cluster_.addresses()[0]});
  StartProxies(1, {cluster_.addresses()[1]});
  StartProxies(1, {cluster_.addresses()[2]});
  // Two domains in each third of the slots (redis-cli gives each master a third).
  std::vector<std::string> domains;
  int per_third[3] = {0, 0, 0};
  for (int i = 0; domains.size() < 6; ++i) {
    std::string domain = "shared" + std::to_string(i) + ".test";
    int third = storage::fleet::KeySlot(storage::fleet::RecordKey("wp", domain)) * 3 /
                storage::fleet::kClusterSlots;
    if (per_third[third]++ < 2) domains.push_back(domain);
  }
  for (const std::string& domain : domains) {
    std::string key = "{wp:" + domain + "}r";
    ExpectSharedAcrossProxies(domain, [&] {
      for (size_t n = 0; n < cluster_.size(); ++n) {
        auto c = cluster_.node(n).Connect();
        if (ReplyText(RedisCall(c.get(), {"EXISTS", key}).get()) == "1") return true;
      }
      return false;
    });
  }
  int masters_with_records = 0;
  for (size_t n = 0; n < cluster_.size(); ++n) {
    auto c = cluster_.node(n).Connect();
    masters_with_records += ReplyText(RedisCall(c.get(), {"DBSIZE"}).get()) != "0";
  }
  EXPECT_EQ(masters_with_records, 3);
  EXPECT_EQ(InfoField(*proxies_[0], "fleet_engine"), "cluster");
  EXPECT_EQ(InfoField(*proxies_[0], "fleet_masters"), "3");
  EXPECT_EQ(InfoField(*proxies_[2], "fleet_lookups_answered"), "6");
}

TEST_F(FleetProxiesTest, WithoutAFleetInfoSaysSo) {
  StartRegistry();
  proxies_.push_back(std::make_unique<ProxyProcess>(std::vector<std::string>{}));
  ASSERT_TRUE(proxies_.back()->Start()) << proxies_.back()->log();
  EXPECT_EQ(InfoField(*proxies_[0], "fleet_enabled"), "0");
  EXPECT_EQ(InfoField(*proxies_[0], "fleet_commands"), "");
}

}  // namespace
}  // namespace fleet_test
