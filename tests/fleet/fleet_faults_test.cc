// The fleet under faults, with real whois-proxy processes, real redis-server processes (a single
// server and a 3-master Cluster) and a fake registry that logs every query with the client's
// address: a domain asked on three proxies at once is resolved once (single-flight leases); a
// proxy killed while it holds a lease delays the domain by at most the lease; a stopped Cluster
// costs no answer; a slot migration during load loses no record.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fleet_proxies.h"
#include "storage/fleet/fleet_record.h"
#include "storage/fleet/key_slot.h"

// In fleet_test, so the fixture's names (fleet_proxies.h) are used as they are.
namespace fleet_test {
namespace {

using Clock = std::chrono::steady_clock;

int64_t SumInfo(const std::vector<std::unique_ptr<test_support::ProxyProcess>>& proxies,
                const std::string& field) {
  int64_t sum = 0;
  for (const auto& p : proxies)
    if (p->running()) sum += std::stoll("0" + InfoField(*p, field));
  return sum;
}

bool InCluster(test_support::RedisCluster& cluster, const std::string& key) {
  for (size_t n = 0; n < cluster.size(); ++n) {
    auto c = cluster.node(n).Connect();
    // A node that does not own the key's slot answers MOVED, not 1.
    if (c && ReplyText(RedisCall(c.get(), {"EXISTS", key}).get()) == "1") return true;
  }
  return false;
}

bool Answered(const std::string& reply) {
  return reply.find("Fleet Registrar") != std::string::npos;
}

TEST_F(FleetProxiesTest, ADomainAskedOnThreeProxiesAtOnceIsQueriedUpstreamOnce) {
  StartCluster();
  StartRegistry();
  // Slow enough that the three lookups overlap.
  ASSERT_EQ(registry_.Control("latency-ms 400").rfind("OK", 0), 0u);
  StartProxies(3, cluster_.addresses());
  const int kDomains = 6;
  for (int d = 0; d < kDomains; ++d) {
    std::string domain = "together" + std::to_string(d) + ".test";
    std::vector<std::string> replies(proxies_.size());
    std::atomic<int> ready{0};
    std::vector<std::thread> clients;
    for (size_t i = 0; i < proxies_.size(); ++i)
      clients.emplace_back([&, i] {
        auto c = proxies_[i]->Connect();
        ++ready;
        while (ready.load() < static_cast<int>(proxies_.size())) std::this_thread::yield();
        auto r = test_support::Command(c.get(), {"GET", domain});
        if (r && r->type == REDIS_REPLY_STRING) replies[i].assign(r->str, r->len);
      });
    for (auto& t : clients) t.join();
    EXPECT_EQ(QueriesFor(registry_, domain).size(), 1u) << domain;
    ASSERT_TRUE(Answered(replies[0])) << replies[0];
    for (size_t i = 1; i < replies.size(); ++i) EXPECT_EQ(replies[i], replies[0]) << domain;
  }
  // One lease per domain; the other proxies waited for the record (or found it published).
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_taken"), kDomains);
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_released"), kDomains);
  EXPECT_EQ(SumInfo(proxies_, "fleet_lookups_answered"), 2 * kDomains);
  EXPECT_GE(SumInfo(proxies_, "fleet_leases_waited"), 1);
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_taken_over"), 0);
  EXPECT_EQ(SumInfo(proxies_, "fleet_lease_errors"), 0);
  EXPECT_EQ(fleet_test::SettledLog(registry_).size(), static_cast<size_t>(kDomains));
}

// Background lookups take leases too: the same names prefetched on three proxies at once are
// each asked upstream once.
TEST_F(FleetProxiesTest, NamesPrefetchedOnThreeProxiesAtOnceAreQueriedUpstreamOnce) {
  StartRedis();
  StartRegistry();
  ASSERT_EQ(registry_.Control("latency-ms 200").rfind("OK", 0), 0u);
  StartProxies(3, {redis_.address()});
  std::vector<std::string> prefetch = {"WHOIS.PREFETCH"};
  const int kNames = 8;
  for (int i = 0; i < kNames; ++i) prefetch.push_back("bulk" + std::to_string(i) + ".test");
  std::vector<std::thread> clients;
  for (auto& proxy : proxies_)
    clients.emplace_back([&] {
      auto c = proxy->Connect();
      auto r = test_support::Command(c.get(), prefetch);
      EXPECT_TRUE(r && r->type == REDIS_REPLY_INTEGER && r->integer == kNames);
    });
  for (auto& t : clients) t.join();
  auto done_on = [&](const test_support::ProxyProcess& proxy) {
    auto c = proxy.Connect();
    auto r = test_support::Command(c.get(), {"INFO", "whois"});
    return r && r->type == REDIS_REPLY_STRING &&
           std::string(r->str, r->len).find("prefetch_done:" + std::to_string(kNames) + "\r\n") !=
               std::string::npos;
  };
  for (auto& proxy : proxies_) ASSERT_TRUE(WaitUntil([&] { return done_on(*proxy); }));
  for (int i = 1; i < static_cast<int>(prefetch.size()); ++i)
    EXPECT_EQ(QueriesFor(registry_, prefetch[i]).size(), 1u) << prefetch[i];
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_taken") + SumInfo(proxies_, "fleet_leases_taken_over"),
            kNames);
  // Every proxy has every record now, without asking again.
  for (auto& proxy : proxies_)
    for (int i = 1; i < static_cast<int>(prefetch.size()); ++i)
      EXPECT_TRUE(Answered(Get(*proxy, prefetch[i]))) << prefetch[i];
  EXPECT_EQ(fleet_test::SettledLog(registry_).size(), static_cast<size_t>(kNames));
}

TEST_F(FleetProxiesTest, AKilledLeaseHolderDelaysTheDomainByAtMostTheLease) {
  StartRedis();
  StartRegistry();
  const int kLatencyMs = 1500;
  ASSERT_EQ(registry_.Control("latency-ms " + std::to_string(kLatencyMs)).rfind("OK", 0), 0u);
  // The holder's lease ends with its lookup (lookup-timeout 3 s: at most 3.5 s); the survivors'
  // clients wait longer than that, so they are answered with the record.
  StartProxies(1, {redis_.address()}, {"--lookup-timeout", "3000"});
  StartProxies(2, {redis_.address()}, {"--lookup-timeout", "30000"});
  const std::string domain = "orphan.test";
  const std::string lease_key = "{wp:" + domain + "}l";
  std::thread holder_client([&] { Get(*proxies_[0], domain); });
  auto rc = redis_.Connect();
  ASSERT_TRUE(WaitUntil([&] {
    return ReplyText(RedisCall(rc.get(), {"EXISTS", lease_key}).get()) == "1";
  }));
  EXPECT_EQ(ReplyText(RedisCall(rc.get(), {"GET", lease_key}).get()).rfind("proxy-0/", 0), 0u);
  // The holder is in flight (the registry is slow): it dies holding the lease.
  proxies_[0]->Kill();
  holder_client.join();
  auto read_at = Clock::now();
  int64_t lease_left = std::stoll(ReplyText(RedisCall(rc.get(), {"PTTL", lease_key}).get()));
  ASSERT_GT(lease_left, 0) << "the lease ended before the test could look";
  EXPECT_LE(lease_left, 3500);

  std::string replies[2];
  Clock::duration took[2];
  std::vector<std::thread> survivors;
  for (int i = 0; i < 2; ++i)
    survivors.emplace_back([&, i] {
      replies[i] = Get(*proxies_[1 + i], domain);
      took[i] = Clock::now() - read_at;
    });
  for (auto& t : survivors) t.join();
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(Answered(replies[i])) << replies[i];
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took[i]).count();
    // Not before the lease ended; after it, one lookup (generous slack for a loaded machine).
    EXPECT_GE(ms, lease_left - 20);
    EXPECT_LE(ms, lease_left + kLatencyMs + 10000);
  }
  EXPECT_EQ(replies[0], replies[1]);
  // The survivors asked upstream once in total; the dead holder's query is its own.
  std::vector<std::string> asked = QueriesFor(registry_, domain);
  int by_survivors = 0;
  for (const std::string& client : asked) by_survivors += client != "127.0.0.11";
  EXPECT_EQ(by_survivors, 1) << asked.size() << " queries";
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_taken_over"), 1);
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_waited"), 2);
  EXPECT_EQ(SumInfo(proxies_, "fleet_lookups_answered"), 1);
}

TEST_F(FleetProxiesTest, WithTheClusterStoppedEveryProxyAnswersItsRecordsAndResolvesMisses) {
  StartCluster();
  StartRegistry();
  StartProxies(3, cluster_.addresses());
  for (size_t i = 0; i < proxies_.size(); ++i) {
    std::string domain = "kept" + std::to_string(i) + ".test";
    ASSERT_TRUE(Answered(Get(*proxies_[i], domain)));
    ASSERT_TRUE(WaitUntil([&] { return InCluster(cluster_, "{wp:" + domain + "}r"); }));
  }
  // Proxy 2 has proxy 0's record from the fleet, stored locally.
  ASSERT_TRUE(Answered(Get(*proxies_[2], "kept0.test")));
  cluster_.Stop();
  for (size_t i = 0; i < proxies_.size(); ++i) {
    std::string own = "kept" + std::to_string(i) + ".test";
    EXPECT_TRUE(Answered(Get(*proxies_[i], own))) << own;
    // A miss resolves at once (no wait for a lease) from the proxy's own address.
    std::string miss = "alone" + std::to_string(i) + ".test";
    auto start = Clock::now();
    EXPECT_TRUE(Answered(Get(*proxies_[i], miss))) << miss;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
    EXPECT_EQ(QueriesFor(registry_, miss),
              std::vector<std::string>{"127.0.0." + std::to_string(11 + i)});
    EXPECT_EQ(InfoField(*proxies_[i], "fleet_reachable"), "0");
  }
  EXPECT_TRUE(Answered(Get(*proxies_[2], "kept0.test")));
  // Nothing resolved twice: every kept record was answered from a local store.
  for (size_t i = 0; i < proxies_.size(); ++i)
    EXPECT_EQ(QueriesFor(registry_, "kept" + std::to_string(i) + ".test").size(), 1u);
  EXPECT_EQ(SumInfo(proxies_, "fleet_leases_waited"), 0);
}

TEST_F(FleetProxiesTest, ASlotMigrationDuringLoadLosesNothing) {
  StartCluster();
  StartRegistry();
  StartProxies(3, cluster_.addresses());
  // Names whose keys live in the slots that move: the first 3000 of master 0's (redis-cli
  // gives master 0 slots 0-5460 and reshards from the lowest).
  std::vector<std::string> moving;
  for (int i = 0; moving.size() < 400; ++i) {
    std::string domain = "moving" + std::to_string(i) + ".test";
    if (storage::fleet::KeySlot(storage::fleet::RecordKey("wp", domain)) < 3000)
      moving.push_back(domain);
  }
  std::vector<std::string> written;
  auto write = [&](const std::string& domain) {
    std::string got = Get(*proxies_[written.size() % proxies_.size()], domain);
    EXPECT_TRUE(Answered(got)) << domain << ": " << got;
    written.push_back(domain);
  };
  for (size_t i = 0; i < 30; ++i) write(moving[i]);
  for (const std::string& d : written)
    ASSERT_TRUE(WaitUntil([&] { return InCluster(cluster_, "{wp:" + d + "}r"); })) << d;

  std::atomic<bool> resharded{false};
  std::string reshard_error;
  bool reshard_ok = false;
  std::thread reshard([&] {
    reshard_ok = cluster_.Reshard(0, 1, 3000, &reshard_error);
    resharded = true;
  });
  size_t next = written.size();
  while (!resharded && next < moving.size()) write(moving[next++]);
  reshard.join();
  ASSERT_TRUE(reshard_ok) << reshard_error;
  // How many writes fit in the migration depends on the machine's load (a write is a whole
  // lookup, under a sanitizer on a busy machine nearly a second): at least one must have
  // started while slots were moving, or this test proved nothing about migration.
  size_t during = written.size() - 30;
  EXPECT_GE(during, 1u) << "the migration ended before the load saw it";
  // A few more after it, through maps that may still point at the old owner.
  for (int i = 0; i < 10 && next < moving.size(); ++i) write(moving[next++]);

  for (const std::string& d : written)
    EXPECT_TRUE(WaitUntil([&] { return InCluster(cluster_, "{wp:" + d + "}r"); })) << d;
  // Every proxy reads every record; none was asked upstream again (the others read Redis).
  for (const auto& proxy : proxies_)
    for (const std::string& d : written) EXPECT_TRUE(Answered(Get(*proxy, d))) << d;
  for (const std::string& d : written) EXPECT_EQ(QueriesFor(registry_, d).size(), 1u) << d;
  EXPECT_GT(SumInfo(proxies_, "fleet_moved") + SumInfo(proxies_, "fleet_asked"), 0);
  // The slots did move: master 1 holds records of them now.
  auto c = cluster_.node(1).Connect();
  int on_1 = 0;
  for (const std::string& d : written)
    on_1 += ReplyText(RedisCall(c.get(), {"EXISTS", "{wp:" + d + "}r"}).get()) == "1";
  EXPECT_GT(on_1, 0);
}

}  // namespace
}  // namespace fleet_test
