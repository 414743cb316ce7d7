// Several source addresses (issue 16) end to end: the proxy binds four loopback addresses in two
// /24s (127.0.1.1, 127.0.1.2, 127.0.2.1, 127.0.2.2: all of 127/8 is local) and queries a fake
// registry that counts per client address, per client /24 or for everyone, as real registries
// do. The fake's own log proves that no budget was exceeded and that the budgets were used.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_process.h"
#include "resolver_test_support.h"

namespace {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kFourSources = {"127.0.1.1", "127.0.1.2", "127.0.2.1", "127.0.2.2"};

const char kReply[] =
    "Domain Name: {QUERY}\r\nRegistrar: Limited Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\nName Server: ns1.example.net\r\n";

// A field of a map reply (RESP2: a flat array of keys and values).
const redisReply* Field(const redisReply* map, const std::string& name) {
  for (size_t i = 0; i + 1 < map->elements; i += 2) {
    if (std::string(map->element[i]->str, map->element[i]->len) == name) {
      return map->element[i + 1];
    }
  }
  return nullptr;
}

// Each budget's name and how many source addresses share it.
using BudgetList = std::vector<std::pair<std::string, size_t>>;

class SourceAddressTest : public resolver_test::OneRegistryTest {
 protected:
  // The budgets WHOIS.LIMITS reports for whois.nic.test, in the reply's order.
  BudgetList Budgets() {
    auto c = proxy_->Connect();
    auto limits = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
    BudgetList out;
    const redisReply* budgets = Field(limits.get(), "budgets");
    if (budgets == nullptr) {
      ADD_FAILURE() << "WHOIS.LIMITS has no budgets";
      return out;
    }
    for (size_t i = 0; i < budgets->elements; ++i) {
      out.emplace_back(Field(budgets->element[i], "budget")->str,
                       Field(budgets->element[i], "addresses")->elements);
    }
    return out;
  }
  void StartFakes(std::vector<std::string> registry_args) {
    StartRegistry(kReply, std::move(registry_args));
  }
  void StartProxy(const std::vector<std::string>& sources, std::vector<std::string> extra) {
    std::vector<std::string> args = UpstreamArgs();
    args.insert(args.end(), {"--lookup-timeout", "30000"});
    if (!sources.empty()) {
      args.push_back("--upstream-source-address");
      args.insert(args.end(), sources.begin(), sources.end());
    }
    args.insert(args.end(), extra.begin(), extra.end());
    StartProxyWith(std::move(args));
  }
  std::vector<std::string> GetAll(const std::string& prefix, int n) {
    return OneRegistryTest::GetAll(Domains(prefix, n));
  }
  // Queries the registry served, by client address.
  std::map<std::string, int> ServedBy() const {
    std::map<std::string, int> out;
    for (const auto& e : registry_->ReadLog()) out[e.client] += fake_whois::Admitted(e);
    return out;
  }
  // `lookups` cold names at once against a registry that serves 5 per second per `fake_scope`
  // group; the proxy knows the same limit with `proxy_scope`. Returns the seconds it took.
  double Saturate(const std::string& fake_scope, const std::string& proxy_scope, int lookups,
                  size_t groups) {
    StartFakes({"--limit-rate", "5/s", "--limit-scope", fake_scope});
    std::vector<std::string> limit = {"--upstream-limit", "whois.nic.test", "rate", "5/s"};
    if (!proxy_scope.empty()) {
      limit.push_back("scope");
      for (std::string w : {proxy_scope}) {
        for (size_t at = 0; at != std::string::npos;) {
          size_t space = w.find(' ', at);
          limit.push_back(w.substr(at, space == std::string::npos ? space : space - at));
          at = space == std::string::npos ? space : space + 1;
        }
      }
    }
    StartProxy(kFourSources, limit);
    auto t0 = Clock::now();
    auto replies = GetAll("s", lookups);
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_EQ(Count(replies, R"("status":"registered")"), lookups);
    EXPECT_EQ(Refusals(), 0u);
    auto log = registry_->ReadLog();
    auto per_group = fake_whois::MaxServedInWindowPer(log, 1000, fake_scope);
    EXPECT_EQ(per_group.size(), groups);
    for (const auto& [group, most] : per_group) EXPECT_LE(most, 5) << group;
    // Every group's budget was used to the full at some moment: the groups side by side.
    EXPECT_EQ(fake_whois::MaxServedInWindow(log, 1000), static_cast<int64_t>(5 * groups));
    auto served = ServedBy();
    EXPECT_EQ(served.size(), 4u);  // every source address was used
    return seconds;
  }
};

TEST_F(SourceAddressTest, ARegistryLimitedPerAddressIsUsedAtFourTimesTheRate) {
  // 100 lookups at 4 x 5 per second: 5 windows, the last starting after 4 (4.1 s with the jitter
  // margin); one address alone would need 20 windows.
  double seconds = Saturate("address", "", 100, 4);
  EXPECT_GE(seconds, 4.0);
  EXPECT_LE(seconds, 2 * 5.125) << "the four budgets were not used side by side";
  auto c = proxy_->Connect();
  auto limits = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
  ASSERT_EQ(limits->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(Field(limits.get(), "budget_count")->integer, 4);
  const redisReply* budgets = Field(limits.get(), "budgets");
  ASSERT_EQ(budgets->elements, 4u);
  std::set<std::string> names;
  int64_t admitted = 0;
  for (size_t i = 0; i < budgets->elements; ++i) {
    names.insert(Field(budgets->element[i], "budget")->str);
    admitted += Field(budgets->element[i], "admitted")->integer;
    EXPECT_EQ(Field(budgets->element[i], "addresses")->elements, 1u);
  }
  EXPECT_EQ(names, std::set<std::string>(kFourSources.begin(), kFourSources.end()));
  EXPECT_EQ(admitted, Field(limits.get(), "admitted")->integer);
  auto info = Command(c.get(), {"INFO", "whois"});
  std::string text(info->str, info->len);
  EXPECT_NE(text.find("upstream_whois.nic.test:admitted=100,"), std::string::npos) << text;
  EXPECT_NE(text.find(",budgets=4"), std::string::npos) << text;
}

TEST_F(SourceAddressTest, ARegistryLimitedPerNetworkIsUsedAtTwiceTheRate) {
  // Two /24s: 60 lookups at 2 x 5 per second, 6 windows (5.125 s after the first).
  double seconds = Saturate("network", "network /24", 60, 2);
  EXPECT_GE(seconds, 5.0);
  EXPECT_LE(seconds, 2 * 6.15);
  EXPECT_EQ(Budgets(), (BudgetList{{"127.0.1.0/24", 2}, {"127.0.2.0/24", 2}}));
}

TEST_F(SourceAddressTest, ARegistryLimitedForEveryoneIsUsedAtOnceTheRate) {
  // One budget for the proxy whatever its addresses: 30 lookups, 6 windows at 5 per second.
  double seconds = Saturate("all", "all", 30, 1);
  EXPECT_GE(seconds, 5.0);
  EXPECT_LE(seconds, 2 * 6.15);
  EXPECT_EQ(Budgets(), (BudgetList{{"all", 4}}));
}

TEST_F(SourceAddressTest, ARefusalOnOneAddressLeavesTheOthersWorking) {
  // The registry has banned 127.0.1.1. Its first query is refused and that address cools
  // down; the three others answer everything after.
  StartFakes({"--refuse-client", "127.0.1.1"});
  StartProxy(kFourSources, {"--upstream-limit", "whois.nic.test", "rate", "20/s"});
  auto c = proxy_->Connect();
  auto first = Command(c.get(), {"GET", "first.test"});
  EXPECT_NE(std::string(first->str, first->len).find(R"("reason":"refused")"), std::string::npos)
      << std::string(first->str, first->len);
  auto replies = GetAll("after", 40);
  EXPECT_EQ(Count(replies, R"("status":"registered")"), 40);
  auto served = ServedBy();
  EXPECT_EQ(served["127.0.1.1"], 0);
  EXPECT_EQ(served["127.0.1.2"] + served["127.0.2.1"] + served["127.0.2.2"], 40);
  EXPECT_GT(served["127.0.1.2"], 0);
  EXPECT_GT(served["127.0.2.1"], 0);
  EXPECT_GT(served["127.0.2.2"], 0);
  EXPECT_EQ(Refusals(), 1u);  // the cooled-down address was not asked again
  auto limits = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
  const redisReply* budgets = Field(limits.get(), "budgets");
  ASSERT_EQ(budgets->elements, 4u);
  for (size_t i = 0; i < budgets->elements; ++i) {
    const redisReply* b = budgets->element[i];
    const bool banned = std::string(Field(b, "budget")->str) == "127.0.1.1";
    EXPECT_EQ(Field(b, "refusals")->integer, banned ? 1 : 0);
    EXPECT_EQ(Field(b, "cooldown_remaining_ms")->integer > 0, banned);
  }
}

TEST_F(SourceAddressTest, DailyCapsPerAddressHoldAcrossKillNine) {
  // Each address may make 3 queries a day, by the registry's count and the proxy's.
  StartFakes({"--limit-daily", "3", "--limit-scope", "address"});
  const std::vector<std::string> two = {"127.0.1.1", "127.0.2.1"};
  const std::vector<std::string> limit = {
      "--upstream-limit", "whois.nic.test", "daily", "3", "rate", "100/s"};
  StartProxy(two, limit);
  EXPECT_EQ(Count(GetAll("a", 4), R"("status":"registered")"), 4);  // two from each
  proxy_->Kill();  // SIGKILL: whatever was reserved counts as used
  StartProxy(two, limit);
  auto replies = GetAll("b", 6);
  const int registered = Count(replies, R"("status":"registered")");
  EXPECT_LE(registered, 2);
  EXPECT_EQ(Count(replies, R"("reason":"daily_limit")"), 6 - registered);
  proxy_->Kill();
  StartProxy(two, limit);
  auto last = GetAll("c", 2);
  EXPECT_EQ(Count(last, R"("reason":"daily_limit")"), 2);
  // What the registry saw: never more than 3 from one address, and never a refusal.
  EXPECT_EQ(Refusals(), 0u);
  for (const auto& [client, n] : ServedBy()) EXPECT_LE(n, 3) << client;
}

TEST_F(SourceAddressTest, StartUpRefusesAnAddressTheHostDoesNotHave) {
  StartFakes({});
  for (const std::string missing : {"192.0.2.1", "2001:db8::1"}) {
    std::vector<std::string> args = {"--upstream-source-address", "127.0.1.1", missing};
    ProxyProcess proxy(args, dir_.path());
    EXPECT_FALSE(proxy.Start());
    EXPECT_NE(proxy.log().find("upstream-source-address " + missing +
                               ": cannot bind it: Cannot assign requested address"),
              std::string::npos)
        << proxy.log();
  }
  ProxyProcess bad({"--upstream-source-address", "127.0.1.300"}, dir_.path());
  EXPECT_FALSE(bad.Start());
  EXPECT_NE(bad.log().find("'127.0.1.300' is not an IPv4 or IPv6 address"), std::string::npos)
      << bad.log();
}

TEST_F(SourceAddressTest, ConfigGetShowsTheSourceAddresses) {
  StartFakes({});
  StartProxy({"127.0.1.1", "::1"}, {});
  auto c = proxy_->Connect();
  auto r = Command(c.get(), {"CONFIG", "GET", "upstream-source-address"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 2u);
  EXPECT_STREQ(r->element[1]->str, "127.0.1.1 ::1");
  // The first query goes out from the first address configured.
  auto get = Command(c.get(), {"GET", "one.test"});
  EXPECT_NE(std::string(get->str, get->len).find(R"("status":"registered")"), std::string::npos);
  for (const auto& e : registry_->ReadLog()) EXPECT_EQ(e.client, "127.0.1.1");
}

}  // namespace
