// The fleet's `scope all` budgets and heartbeat with real processes: three whois-proxy
// processes going upstream from 127.0.0.11-13 to one fake WHOIS registry that logs every query
// with its client address and times, sharing a real Redis the test starts (a single server, or a
// 3-master Cluster). A `scope all` limit holds across the fleet with nothing to spare (zero
// violations in the registry's log, at least 90% of it used), on either engine; with Redis
// stopped each proxy stays within its local share, and when it is back the fleet's windows hold
// again; WHOIS.FLEET lists the live proxies and drops a killed one once its heartbeat expires.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fleet_proxies.h"

namespace {

using fake_whois::LogEntry;
using fleet_test::InfoField;
using test_support::Command;
using test_support::WaitUntil;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A map reply (RESP2: a flat array of pairs) by key.
const redisReply* Field(const redisReply* map, const std::string& key) {
  if (!map || map->type != REDIS_REPLY_ARRAY) return nullptr;
  for (size_t i = 0; i + 1 < map->elements; i += 2) {
    if (map->element[i]->type == REDIS_REPLY_STRING && key == map->element[i]->str)
      return map->element[i + 1];
  }
  return nullptr;
}

std::vector<LogEntry> Served(const std::vector<LogEntry>& log, int64_t after_ms = 0) {
  std::vector<LogEntry> out;
  for (const auto& e : log)
    if (fake_whois::Admitted(e) && e.start_ms > after_ms) out.push_back(e);
  std::sort(out.begin(), out.end(),
            [](const LogEntry& a, const LogEntry& b) { return a.start_ms < b.start_ms; });
  return out;
}

class FleetBudgetTest : public fleet_test::FleetProxiesTest {
 protected:
  void SetUp() override { StartRegistry(); }
  // Proxy i goes upstream from 127.0.0.(11 + i), with `limit` for whois.nic.test.
  void StartBudgetProxies(size_t n, const std::vector<std::string>& seeds,
                          const std::vector<std::string>& limit) {
    std::vector<std::string> extra = {"--upstream-limit", "whois.nic.test"};
    extra.insert(extra.end(), limit.begin(), limit.end());
    StartProxies(n, seeds, extra);
  }
  void WaitForFleetOf(size_t n) {
    for (const auto& p : proxies_) {
      ASSERT_TRUE(WaitUntil([&] {
        return InfoField(*p, "fleet_proxies_alive") == std::to_string(n);
      })) << InfoField(*p, "fleet_proxies_alive");
    }
  }
  // Queues `count` names on every proxy (distinct per proxy) as background lookups.
  void Prefetch(int count, const std::string& tag) {
    for (size_t i = 0; i < proxies_.size(); ++i) {
      std::vector<std::string> argv = {"WHOIS.PREFETCH"};
      for (int j = 0; j < count; ++j)
        argv.push_back(tag + "-p" + std::to_string(i) + "-" + std::to_string(j) + ".test");
      auto c = proxies_[i]->Connect();
      auto r = Command(c.get(), argv);
      ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER) << (r ? r->str : "no reply");
      ASSERT_EQ(r->integer, count);
    }
  }
  // With every proxy limited to `rate 10/2s scope all`: 40 names queued on each, the first 50
  // queries the registry serves keep to 10 in any 2 s and come as fast as that allows (at least
  // 90% of it), from every proxy, each granted by the fleet's Redis.
  void ExpectTheLimitHeldAndUsed(const std::string& engine) {
    Prefetch(40, "all");
    const size_t kQueries = 50;  // five windows' worth
    ASSERT_TRUE(WaitUntil([&] { return Served(registry_.ReadLog()).size() >= kQueries; }))
        << Served(registry_.ReadLog()).size();
    auto served = Served(registry_.ReadLog());
    // Zero violations: no 2 s window of the registry's ever saw more than 10.
    EXPECT_LE(fake_whois::MaxServedInWindow(served, 2000), 10);
    // At least 90% used: the first 50 queries came as fast as "10 in any 2 s" allows, within 10%.
    int64_t span = served[kQueries - 1].start_ms - served[0].start_ms;
    int64_t allowed = 10 * (span / 2000 + 1);
    EXPECT_GE(static_cast<double>(kQueries), 0.9 * static_cast<double>(allowed)) << span << " ms";
    std::printf(
        "fleet of 3 on %s Redis: %zu queries in %lld ms, at most %lld allowed (%.0f%% used)\n",
        engine.c_str(), kQueries, static_cast<long long>(span), static_cast<long long>(allowed),
        100.0 * static_cast<double>(kQueries) / static_cast<double>(allowed));
    // Every proxy spent from the one budget.
    std::map<std::string, int> by_client;
    for (const auto& e : served) ++by_client[e.client];
    EXPECT_EQ(by_client.size(), 3u);
    for (const auto& p : proxies_) {
      EXPECT_NE(InfoField(*p, "fleet_budget_grants"), "0");
      EXPECT_EQ(InfoField(*p, "fleet_budget_mode"), "fleet");
      EXPECT_EQ(InfoField(*p, "fleet_engine"), engine);
    }
  }
};

TEST_F(FleetBudgetTest, AScopeAllLimitHoldsAcrossTheFleetAndIsUsed) {
  StartRedis();
  StartBudgetProxies(3, {redis_.address()}, {"rate", "10/2s", "scope", "all"});
  ExpectTheLimitHeldAndUsed("single");
}

// The budget's keys share one slot ({wp:budget:<host>}), so each script runs on the master that
// owns it, whichever seed a proxy was given.
TEST_F(FleetBudgetTest, AScopeAllLimitHoldsAcrossTheFleetOnACluster) {
  StartCluster();
  // Each proxy knows a different master first.
  for (size_t i = 0; i < 3; ++i) {
    std::vector<std::string> seeds = cluster_.addresses();
    std::rotate(seeds.begin(), seeds.begin() + static_cast<std::ptrdiff_t>(i), seeds.end());
    StartBudgetProxies(1, seeds, {"rate", "10/2s", "scope", "all"});
  }
  ExpectTheLimitHeldAndUsed("cluster");
}

TEST_F(FleetBudgetTest, WithRedisStoppedEachProxyStaysWithinItsShareAndTheFleetHoldsAgainAfter) {
  // Six per 2 s for the fleet: two per proxy while Redis is gone.
  StartRedis();
  StartBudgetProxies(3, {redis_.address()}, {"rate", "6/2s", "scope", "all"});
  WaitForFleetOf(3);
  redis_.Stop();
  int64_t stopped = WallMs();
  Prefetch(30, "down");
  ASSERT_TRUE(WaitUntil([&] { return Served(registry_.ReadLog(), stopped).size() >= 18; }))
      << Served(registry_.ReadLog(), stopped).size();
  auto down = Served(registry_.ReadLog(), stopped);
  auto per_proxy = fake_whois::MaxServedInWindowPer(down, 2000, "address");
  EXPECT_EQ(per_proxy.size(), 3u);
  for (const auto& [client, most] : per_proxy) EXPECT_LE(most, 2) << client;
  for (const auto& p : proxies_) {
    EXPECT_EQ(InfoField(*p, "fleet_budget_mode"), "local_share");
    EXPECT_NE(InfoField(*p, "fleet_local_share_periods"), "0");
    EXPECT_NE(InfoField(*p, "fleet_budget_failures"), "0");
  }
  // Redis back: every proxy fills the windows and takes grants from Redis again.
  StartRedis();
  for (const auto& p : proxies_) {
    ASSERT_TRUE(WaitUntil([&] { return InfoField(*p, "fleet_budget_mode") == "fleet"; }))
        << InfoField(*p, "fleet_budget_mode");
    EXPECT_NE(InfoField(*p, "fleet_budget_windows_filled"), "0");
  }
  int64_t back = WallMs();
  ASSERT_TRUE(WaitUntil([&] { return Served(registry_.ReadLog(), back).size() >= 12; }))
      << Served(registry_.ReadLog(), back).size();
  // From then on, the fleet's windows hold: no burst after the return.
  EXPECT_LE(fake_whois::MaxServedInWindow(Served(registry_.ReadLog(), back), 2000), 6);
}

TEST_F(FleetBudgetTest, WhoisFleetListsTheLiveProxiesAndDropsAKilledOne) {
  StartRedis();
  StartBudgetProxies(3, {redis_.address()}, {"rate", "100/s", "scope", "all"});
  auto c = proxies_[0]->Connect();
  auto listed = [&] {
    auto r = Command(c.get(), {"WHOIS.FLEET"});
    const redisReply* proxies = Field(r.get(), "proxies");
    return proxies ? proxies->elements : 0;
  };
  ASSERT_TRUE(WaitUntil([&] { return listed() == 3; })) << listed();
  auto r = Command(c.get(), {"WHOIS.FLEET"});
  EXPECT_EQ(Field(r.get(), "enabled")->integer, 1);
  EXPECT_STREQ(Field(r.get(), "engine")->str, "single");
  EXPECT_EQ(Field(r.get(), "reachable")->integer, 1);
  EXPECT_STREQ(Field(r.get(), "node_name")->str, "proxy-0");
  ASSERT_EQ(Field(r.get(), "nodes")->elements, 1u);
  EXPECT_EQ(std::string(Field(r.get(), "nodes")->element[0]->str), redis_.address());
  EXPECT_STREQ(Field(r.get(), "budget_mode")->str, "fleet");
  const redisReply* proxies = Field(r.get(), "proxies");
  for (size_t i = 0; i < 3; ++i) {
    const redisReply* p = proxies->element[i];
    EXPECT_EQ(std::string(Field(p, "name")->str), "proxy-" + std::to_string(i));
    const redisReply* sources = Field(p, "source_addresses");
    ASSERT_EQ(sources->elements, 1u);
    EXPECT_EQ(std::string(sources->element[0]->str), "127.0.0." + std::to_string(11 + i));
    EXPECT_GT(Field(p, "last_heartbeat_ms")->integer, WallMs() - 60000);
    EXPECT_EQ(Field(p, "lookups_in_flight")->integer, 0);
  }
  // Killed: its entry expires and the others stop listing it.
  proxies_[2]->Kill();
  ASSERT_TRUE(WaitUntil([&] { return listed() == 2; })) << listed();
  EXPECT_TRUE(WaitUntil([&] { return InfoField(*proxies_[1], "fleet_proxies_alive") == "2"; }));
}

}  // namespace
