// Stale-while-revalidate and "a failure never replaces knowledge", end to end: the proxy against
// fake WHOIS registries that refuse, hang, are unreachable, or answer with a new owner or "no
// match", and across kill -9. Every wait polls with a generous deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_process.h"
#include "resolver_test_support.h"

namespace resolver_test {
namespace {

using namespace std::chrono_literals;

std::string RecordJson(const std::string& domain, const std::string& org) {
  return R"({"domain":")" + domain +
         R"(","status":"registered","registrar":{"name":"Old Registrar"},"registrant":{"organization":")" +
         org + R"(","country":"DE"},"nameservers":["ns1.example.net"]})";
}

bool Has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

class StaleTest : public resolver_test::OneRegistryTest {
 protected:
  // A registry for .test whose every answer is `reply` (a refusal, a record, "no match").
  void StartFakes(const std::string& reply, std::vector<std::string> registry_args = {}) {
    StartRegistry(reply, std::move(registry_args));
  }
  // `registry` overrides where whois.nic.test points (e.g. a closed port).
  void StartProxy(std::vector<std::string> extra = {}, std::string registry = "") {
    std::vector<std::string> args = UpstreamArgs(registry);
    args.insert(args.end(),
                {"--upstream-limit", "whois.nic.test", "rate", "100/s", "--ttl-fallback", "1"});
    args.insert(args.end(), extra.begin(), extra.end());
    StartProxyWith(std::move(args));
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }
  // Imports a registered record that goes stale after a second, and waits until it is.
  void ImportStale(const std::string& domain, const std::string& org = "Example GmbH") {
    auto r = Command(c_.get(), {"SET", domain, RecordJson(domain, org), "EX", "1"});
    ASSERT_EQ(Text(r), "OK");
    ASSERT_TRUE(Eventually([&] { return Command(c_.get(), {"PTTL", domain})->integer == 0; }));
  }
  std::string Get(const std::string& domain) { return Text(Command(c_.get(), {"GET", domain})); }

  ProxyProcess::Redis c_;
};

const char kRefusal[] = "%  Query rate limit exceeded\r\n";
const char kNewOwner[] =
    "Domain Name: {QUERY}\r\nRegistrar: New Registrar\r\n"
    "Registrant Organization: New Owner AG\r\nRegistrant Country: AT\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\nName Server: ns9.example.net\r\n";

TEST_F(StaleTest, AStaleRecordIsAnsweredBeforeItsRefreshEnds) {
  // The registry hangs: a client waiting for the refresh would wait lookup-timeout (20 s).
  StartFakes(kNewOwner, {"--mode", "hang"});
  StartProxy({"--lookup-timeout", "20000", "--upstream-timeout", "20000"});
  ImportStale("owner-test.test");
  std::string json = Get("owner-test.test");
  EXPECT_TRUE(Has(json, R"("status":"registered")")) << json;
  EXPECT_TRUE(Has(json, "Example GmbH")) << json;
  EXPECT_TRUE(json.ends_with(R"(,"stale":true})")) << json;
  // The reply came while its refresh is still running (or about to start): it did not wait.
  EXPECT_TRUE(Eventually([&] { return WhoisInfo(c_.get(), "lookups_in_flight") == 1; }));
  EXPECT_EQ(WhoisInfo(c_.get(), "refreshes_started"), 1);
  EXPECT_EQ(WhoisInfo(c_.get(), "stale_served"), 1);
  // More GETs (from the hot set now) neither wait nor start another refresh.
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(Has(Get("owner-test.test"), R"("stale":true)"));
  EXPECT_EQ(WhoisInfo(c_.get(), "refreshes_started"), 1);
  EXPECT_EQ(WhoisInfo(c_.get(), "stale_served"), 51);
  // TTL keeps its meaning: 0 while stale; the record exists.
  EXPECT_EQ(Command(c_.get(), {"TTL", "owner-test.test"})->integer, 0);
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "owner-test.test"})->integer, 1);
  // A fresh record is never marked.
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "fresh.test", RecordJson("fresh.test", "F")})), "OK");
  EXPECT_FALSE(Has(Get("fresh.test"), "stale"));
}

TEST_F(StaleTest, ARefusedRefreshKeepsTheRecordAndItIsStillServedStale) {
  StartFakes(kRefusal);
  StartProxy();
  ImportStale("owner-test.test");
  EXPECT_TRUE(Has(Get("owner-test.test"), R"("stale":true)"));
  ASSERT_TRUE(Eventually([&] { return WhoisInfo(c_.get(), "refreshes_failed") == 1; }));
  EXPECT_EQ(WhoisInfo(c_.get(), "refresh_kept_record"), 1);
  EXPECT_EQ(WhoisInfo(c_.get(), "refreshes_succeeded"), 0);
  std::string json = Get("owner-test.test");
  EXPECT_TRUE(Has(json, R"("status":"registered")")) << json;
  EXPECT_TRUE(Has(json, "Example GmbH")) << json;
  EXPECT_TRUE(Has(json, R"("stale":true)")) << json;
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 1);
  // The registry saw exactly the one refresh: the failure backs off, later GETs do not retry.
  for (int i = 0; i < 20; ++i) Get("owner-test.test");
  EXPECT_EQ(registry_->ReadLog().size(), 1u);
}

TEST_F(StaleTest, AKnownRecordSurvivesTwentyFailedRefreshesAndAKillNine) {
  // The registry's address refuses connections: every lookup fails (unreachable) at once.
  StartFakes(kNewOwner);
  StartProxy({}, "127.0.0.1:1");
  ImportStale("owner-test.test");
  for (int i = 0; i < 20; ++i) {
    // WHOIS.LOOKUP forces a refresh: the client gets the fallback, the store keeps the record.
    std::string fallback = Text(Command(c_.get(), {"WHOIS.LOOKUP", "owner-test.test"}));
    EXPECT_TRUE(Has(fallback, R"("status":"fallback")")) << fallback;
    std::string json = Get("owner-test.test");
    ASSERT_TRUE(Has(json, "Example GmbH")) << "refresh " << i << ": " << json;
  }
  EXPECT_GE(WhoisInfo(c_.get(), "refresh_kept_record"), 20);
  proxy_->Kill();
  StartProxy({}, "127.0.0.1:1");
  std::string json = Get("owner-test.test");
  EXPECT_TRUE(Has(json, R"("status":"registered")")) << json;
  EXPECT_TRUE(Has(json, "Example GmbH")) << json;
  EXPECT_TRUE(Has(json, R"("stale":true)")) << json;
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 1);
  // A domain the database knew nothing about does get its fallback stored.
  EXPECT_TRUE(Has(Get("unknown.test"), R"("status":"fallback")"));
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "unknown.test"})->integer, 1);
}

TEST_F(StaleTest, ASuccessfulRefreshReplacesTheRecordAndHistoryHoldsTheOldOwner) {
  StartFakes(kNewOwner);
  StartProxy();
  ImportStale("owner-test.test");
  EXPECT_TRUE(Has(Get("owner-test.test"), "Example GmbH"));  // stale, starts the refresh
  std::string json;
  ASSERT_TRUE(Eventually([&] {
    json = Get("owner-test.test");
    return Has(json, "New Owner AG");
  })) << json;
  EXPECT_FALSE(Has(json, "stale")) << json;
  EXPECT_GT(Command(c_.get(), {"TTL", "owner-test.test"})->integer, 0);
  EXPECT_EQ(WhoisInfo(c_.get(), "refreshes_succeeded"), 1);
  auto h = Command(c_.get(), {"WHOIS.HISTORY", "owner-test.test"});
  ASSERT_EQ(h->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(h->elements, 1u);
  std::string old(h->element[0]->str, h->element[0]->len);
  EXPECT_TRUE(Has(old, "Example GmbH")) << old;
  EXPECT_TRUE(Has(old, R"("fetched_at":")")) << old;
  EXPECT_FALSE(Has(old, "stale")) << old;
  // Another refresh with the same owner adds no version.
  ASSERT_EQ(Text(Command(c_.get(), {"WHOIS.LOOKUP", "owner-test.test"})).find("New Owner AG") !=
                std::string::npos,
            true);
  EXPECT_EQ(Command(c_.get(), {"WHOIS.HISTORY", "owner-test.test"})->elements, 1u);
  // DEL removes the history with the record.
  EXPECT_EQ(Command(c_.get(), {"DEL", "owner-test.test"})->integer, 1);
  EXPECT_EQ(Command(c_.get(), {"WHOIS.HISTORY", "owner-test.test"})->elements, 0u);
}

TEST_F(StaleTest, NotFoundReplacingRegisteredGoesToHistory) {
  StartFakes("No match for \"{QUERY}\".\r\n");
  StartProxy();
  ImportStale("gone.test");
  EXPECT_TRUE(Has(Get("gone.test"), R"("stale":true)"));
  std::string json;
  ASSERT_TRUE(Eventually([&] {
    json = Get("gone.test");
    return Has(json, R"("status":"not_found")");
  })) << json;
  auto h = Command(c_.get(), {"WHOIS.HISTORY", "gone.test", "COUNT", "5"});
  ASSERT_EQ(h->elements, 1u);
  std::string old(h->element[0]->str, h->element[0]->len);
  EXPECT_TRUE(Has(old, R"("status":"registered")")) << old;
  EXPECT_TRUE(Has(old, "Example GmbH")) << old;
}

TEST_F(StaleTest, ServeStaleNoAndMaxStaleMakeTheClientWaitButKeepTheRecord) {
  StartFakes(kRefusal);
  StartProxy();
  ImportStale("owner-test.test");
  ASSERT_EQ(Text(Command(c_.get(), {"CONFIG", "SET", "serve-stale", "no"})), "OK");
  std::string json = Get("owner-test.test");
  EXPECT_TRUE(Has(json, R"("status":"fallback")")) << json;  // waited; the registry refused
  ASSERT_EQ(Text(Command(c_.get(), {"CONFIG", "SET", "serve-stale", "yes"})), "OK");
  json = Get("owner-test.test");
  EXPECT_TRUE(Has(json, "Example GmbH")) << json;
  EXPECT_TRUE(Has(json, R"("stale":true)")) << json;
  // Stale for longer than max-stale: not served, the client waits like on a miss.
  ASSERT_EQ(Text(Command(c_.get(), {"CONFIG", "SET", "max-stale", "1"})), "OK");
  ASSERT_TRUE(Eventually([&] { return Has(Get("owner-test.test"), R"("status":"fallback")"); }));
  ASSERT_EQ(Text(Command(c_.get(), {"CONFIG", "SET", "max-stale", "365d"})), "OK");
  EXPECT_TRUE(Has(Get("owner-test.test"), "Example GmbH"));
}

TEST_F(StaleTest, BackgroundRefreshesNeverTakeATurnFromAClientWaitingOnAnUnknownDomain) {
  // One query every 2 s. Ten stale records queue ten background refreshes; a client then asks
  // for an unknown domain and may wait 5 s. Its lookup must go before the refreshes waiting at
  // the host: behind three of them it would be answered "rate_limited".
  StartFakes(kNewOwner);
  StartProxy({"--upstream-limit", "whois.nic.test", "rate", "1/2s", "--lookup-timeout", "5000"});
  for (int i = 0; i < 10; ++i) {
    std::string d = "s" + std::to_string(i) + ".test";
    ASSERT_EQ(Text(Command(c_.get(), {"SET", d, RecordJson(d, "Old"), "EX", "1"})), "OK");
  }
  ASSERT_TRUE(Eventually([&] { return Command(c_.get(), {"PTTL", "s9.test"})->integer == 0; }));
  for (int i = 0; i < 10; ++i) Get("s" + std::to_string(i) + ".test");
  ASSERT_TRUE(Eventually([&] { return WhoisInfo(c_.get(), "refreshes_started") >= 2; }));
  std::string json = Get("unknown.test");
  EXPECT_TRUE(Has(json, R"("status":"registered")")) << json;
  EXPECT_LE(fake_whois::MaxServedInWindow(registry_->ReadLog(), 2000), 1);
}

}  // namespace
}  // namespace resolver_test
