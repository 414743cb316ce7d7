// A lookup that finishes late must not overwrite a write acknowledged after it started (issue
// 14, case 3): SET, DEL and FLUSHALL made while a lookup is in flight win over its result, for a
// GET's lookup that outlived its client (lookup-timeout), for WHOIS.LOOKUP, and for a background
// refresh. The registry answers after a delay, so each write lands while the lookup is running.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using hardening::InfoInt;
using hardening::WaitUntil;
using test_support::Command;
using test_support::ProxyProcess;
using namespace std::chrono_literals;

std::string Imported(const std::string& domain) {
  return R"({"domain":")" + domain +
         R"(","status":"registered","registrant":{"organization":"IMPORTED"}})";
}

std::string Text(const test_support::Reply& r) {
  return r && r->type != REDIS_REPLY_NIL && r->str ? std::string(r->str, r->len) : std::string();
}

class LateLookupTest : public test_support::OneRegistryTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartRegistry(
        "Domain Name: {QUERY}\r\nRegistrar: Late Registrar\r\n"
        "Registrant Organization: FROM THE REGISTRY\r\n",
        // Every answer comes 1.5 s after the query: longer than the client's lookup-timeout.
        {"--latency-ms", "1500"}));
    std::vector<std::string> args = UpstreamArgs();
    args.insert(args.end(), {"--upstream-limit", "whois.nic.test", "rate", "100/s",
                             "--lookup-timeout", "300", "--flush-enabled", "yes"});
    ASSERT_NO_FATAL_FAILURE(StartProxyWith(std::move(args)));
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }
  // Waits until no lookup is in flight, i.e. the late one has landed.
  void WaitForLookupsToLand() {
    ASSERT_TRUE(WaitUntil(
        [&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(-1) == 0; }, 20s));
    EXPECT_GE(InfoInt(c_.get(), "whois", "lookup_results_superseded").value_or(0), 1);
  }
  std::string Get(const std::string& d) { return Text(Command(c_.get(), {"GET", d})); }
  bool Has(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
  }

  ProxyProcess::Redis c_;
};

TEST_F(LateLookupTest, ASetAfterAGetTimedOutWinsOverTheLookupThatGoesOn) {
  std::string first = Get("rc9.test");
  EXPECT_TRUE(Has(first, R"("reason":"timeout")")) << first;  // the lookup goes on
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "rc9.test", Imported("rc9.test")})), "OK");
  WaitForLookupsToLand();
  std::string json = Get("rc9.test");
  EXPECT_TRUE(Has(json, "IMPORTED")) << json;
  EXPECT_FALSE(Has(json, "FROM THE REGISTRY")) << json;
}

TEST_F(LateLookupTest, ADelDuringALookupIsNotUndoneWhenItLands) {
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "gone.test", Imported("gone.test")})), "OK");
  // WHOIS.LOOKUP on another connection: it waits for the whole (slow) chain.
  auto other = proxy_->Connect();
  redisAppendCommand(other.get(), "WHOIS.LOOKUP gone.test");
  ASSERT_EQ(redisBufferWrite(other.get(), nullptr), REDIS_OK);
  ASSERT_TRUE(WaitUntil(
      [&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(0) == 1; }, 10s));
  EXPECT_EQ(Command(c_.get(), {"DEL", "gone.test"})->integer, 1);
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "gone.test"})->integer, 0);
  redisReply* r = nullptr;
  ASSERT_EQ(redisGetReply(other.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
  std::string looked_up(r->str, r->len);
  freeReplyObject(r);
  EXPECT_TRUE(Has(looked_up, "FROM THE REGISTRY")) << looked_up;  // its client gets the answer
  WaitForLookupsToLand();
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "gone.test"})->integer, 0);
}

TEST_F(LateLookupTest, ASetDuringWhoisLookupWins) {
  auto other = proxy_->Connect();
  redisAppendCommand(other.get(), "WHOIS.LOOKUP wl.test");
  ASSERT_EQ(redisBufferWrite(other.get(), nullptr), REDIS_OK);
  ASSERT_TRUE(WaitUntil(
      [&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(0) == 1; }, 10s));
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "wl.test", Imported("wl.test")})), "OK");
  redisReply* r = nullptr;
  ASSERT_EQ(redisGetReply(other.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
  freeReplyObject(r);
  WaitForLookupsToLand();
  EXPECT_TRUE(Has(Get("wl.test"), "IMPORTED"));
}

TEST_F(LateLookupTest, ASetDuringABackgroundRefreshWins) {
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "bg.test", Imported("bg.test"), "PX", "100"})), "OK");
  ASSERT_TRUE(WaitUntil([&] { return Command(c_.get(), {"PTTL", "bg.test"})->integer == 0; }, 10s));
  EXPECT_TRUE(Has(Get("bg.test"), R"("stale":true)"));  // queues the background refresh
  ASSERT_TRUE(WaitUntil(
      [&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(0) == 1; }, 10s));
  std::string newer =
      R"({"domain":"bg.test","status":"registered","registrant":{"organization":"NEWER IMPORT"}})";
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "bg.test", newer})), "OK");
  WaitForLookupsToLand();
  std::string json = Get("bg.test");
  EXPECT_TRUE(Has(json, "NEWER IMPORT")) << json;
  EXPECT_FALSE(Has(json, "stale")) << json;
}

TEST_F(LateLookupTest, AFlushDuringALookupWins) {
  std::string first = Get("fl.test");
  EXPECT_TRUE(Has(first, R"("reason":"timeout")")) << first;
  ASSERT_EQ(Text(Command(c_.get(), {"FLUSHALL"})), "OK");
  WaitForLookupsToLand();
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 0);
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "fl.test"})->integer, 0);
}

TEST_F(LateLookupTest, AWriteBeforeTheLookupStartedDoesNotStopItsResultBeingStored) {
  // The converse: a lookup that starts after a write was acknowledged is newer, and is stored.
  ASSERT_EQ(Text(Command(c_.get(), {"SET", "after.test", Imported("after.test")})), "OK");
  std::string looked_up = Text(Command(c_.get(), {"WHOIS.LOOKUP", "after.test"}));
  EXPECT_TRUE(Has(looked_up, "FROM THE REGISTRY")) << looked_up;
  EXPECT_TRUE(Has(Get("after.test"), "FROM THE REGISTRY"));
}

}  // namespace
