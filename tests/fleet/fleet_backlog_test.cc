// The fleet backlog with real processes: records a proxy resolved while the fleet's Redis was
// stopped are written to Redis once it is started again (on the same port), also after the
// proxy was killed with SIGKILL meanwhile, and another proxy then answers them as hits with no
// second upstream query.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fleet_proxies.h"
#include "wait_until.h"

namespace {

using fleet_test::FleetProxiesTest;
using fleet_test::Get;
using fleet_test::InfoField;
using fleet_test::QueriesFor;
using test_support::ProxyProcess;
using test_support::RedisCall;
using test_support::ReplyText;
using test_support::WaitUntil;

constexpr int kDomains = 20;

std::string Domain(int i) { return "late" + std::to_string(i) + ".test"; }

bool Answered(const std::string& reply) {
  return reply.find("Fleet Registrar") != std::string::npos;
}

class FleetBacklogTest : public FleetProxiesTest {
 protected:
  // Starts Redis, the registry and proxy 0, then stops Redis and resolves kDomains misses on
  // proxy 0, each of which it cannot share.
  void ResolveWithRedisStopped() {
    StartRedis();
    StartRegistry();
    StartProxies(1, {redis_.address()});
    redis_.Stop();
    for (int i = 0; i < kDomains; ++i) ASSERT_TRUE(Answered(Get(*proxies_[0], Domain(i))));
    ASSERT_TRUE(WaitUntil([&] {
      return InfoField(*proxies_[0], "fleet_backlog") == std::to_string(kDomains);
    })) << InfoField(*proxies_[0], "fleet_backlog");
    EXPECT_EQ(InfoField(*proxies_[0], "fleet_backlog_shared"), "0");
  }

  // Starts Redis again on its port: every record reaches it, and a new proxy answers each as a
  // hit with no second upstream query.
  void ExpectSharedOnceRedisIsBack() {
    StartRedis();
    auto rc = redis_.Connect();
    ASSERT_TRUE(rc);
    for (int i = 0; i < kDomains; ++i) {
      std::string key = "{wp:" + Domain(i) + "}r";
      ASSERT_TRUE(WaitUntil([&] {
        return ReplyText(RedisCall(rc.get(), {"EXISTS", key}).get()) == "1";
      })) << key
          << " never reached Redis";
    }
    ASSERT_TRUE(WaitUntil([&] { return InfoField(*proxies_[0], "fleet_backlog") == "0"; }));
    EXPECT_EQ(InfoField(*proxies_[0], "fleet_backlog_shared"), std::to_string(kDomains));
    StartProxies(1, {redis_.address()});
    for (int i = 0; i < kDomains; ++i) {
      EXPECT_TRUE(Answered(Get(*proxies_[1], Domain(i)))) << Domain(i);
      EXPECT_EQ(QueriesFor(registry_, Domain(i)), std::vector<std::string>{"127.0.0.11"})
          << Domain(i) << " was asked upstream again";
    }
    EXPECT_EQ(InfoField(*proxies_[1], "fleet_lookups_answered"), std::to_string(kDomains));
  }
};

TEST_F(FleetBacklogTest, RecordsResolvedWhileRedisIsStoppedReachItWhenItIsBack) {
  ResolveWithRedisStopped();
  ExpectSharedOnceRedisIsBack();
}

TEST_F(FleetBacklogTest, TheBacklogSurvivesAKillWhileRedisIsStopped) {
  ResolveWithRedisStopped();
  ProxyProcess& a = *proxies_[0];
  a.Kill();
  ASSERT_TRUE(a.Start()) << a.log();  // the same store
  EXPECT_EQ(InfoField(a, "fleet_backlog"), std::to_string(kDomains));
  EXPECT_NE(a.log().find("records wait to be shared"), std::string::npos) << a.log();
  ExpectSharedOnceRedisIsBack();
}

}  // namespace
