// Upstream limits end to end: the proxy against fake WHOIS servers that enforce limits of their
// own and log every connection, so each test can prove afterwards that no limit was exceeded
// (and that the allowed budget was used), across restarts and kill -9.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_process.h"
#include "resolver_test_support.h"

namespace {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;
using Clock = std::chrono::steady_clock;

const char kReply[] =
    "Domain Name: {QUERY}\r\nRegistrar: Limited Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\nName Server: ns1.example.net\r\n";

class LimitsTest : public resolver_test::OneRegistryTest {
 protected:
  void StartFakes(std::vector<std::string> registry_args) {
    StartRegistry(
        kReply, std::move(registry_args),
        {{"limited.test", "%  Query rate limit exceeded. Try again after 60 seconds.\r\n"}});
  }
  void StartProxy(std::vector<std::string> extra) {
    std::vector<std::string> args = UpstreamArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    StartProxyWith(std::move(args));
  }
  size_t Served() const {
    size_t n = 0;
    for (const auto& e : registry_->ReadLog()) n += fake_whois::Admitted(e);
    return n;
  }
};

TEST_F(LimitsTest, UnderSaturationNoWindowIsExceededAndTheBudgetIsUsed) {
  // 1,000 distinct cold domains at once against a registry that allows 100 per second (and
  // refuses beyond that by its own count, as real registries do); the proxy is told 95. The
  // registry counts a query when it arrives and so does the proxy: a start takes its window
  // slot when its query is written, and holds it from admission until then (see
  // whois/limits/budget.h), so a loop stalled between connecting and writing cannot deliver a
  // burst. (Counted at admission, a machine loaded to 13 made 19 refusals here.) A proxy that
  // ignored its limit still runs into the registry's.
  StartFakes({"--limit-rate", "100/s"});
  StartProxy({"--upstream-limit", "whois.nic.test", "rate", "95/s", "--lookup-timeout", "30000"});
  auto t0 = Clock::now();
  auto replies = GetAll(Domains("r", 1000));
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(Count(replies, R"("status":"registered")"), 1000);
  EXPECT_EQ(Refusals(), 0u);
  auto log = registry_->ReadLog();
  EXPECT_LE(fake_whois::MaxServedInWindow(log, 1000), 100);
  // 1,000 starts at 95 per second: the last batch may start after 10 windows (10.25 s with the
  // jitter margin), and no sooner. The allowed rate must be used too: within twice that time
  // leaves room for a loaded machine (sanitizers, other jobs), while a proxy that left the budget
  // unused would take far longer. bench/limits.sh measures the utilisation itself.
  EXPECT_GE(seconds, 10.0);
  EXPECT_LE(seconds, 2 * 10.25) << "the allowed rate was not used";
}

TEST_F(LimitsTest, ConcurrencyIsCappedAndFullyUsed) {
  // 2,000 distinct cold domains at once against a registry that serves 8 connections at a time
  // (and refuses a ninth), each reply taking 10 ms.
  StartFakes({"--latency-ms", "10", "--limit-concurrency", "8"});
  StartProxy({"--upstream-limit", "whois.nic.test", "concurrency", "8", "rate", "10000/s",
              "--lookup-timeout", "30000"});
  auto replies = GetAll(Domains("c", 2000));
  EXPECT_EQ(Count(replies, R"("status":"registered")"), 2000);
  EXPECT_EQ(Refusals(), 0u);
  EXPECT_EQ(fake_whois::MaxConcurrentServed(registry_->ReadLog()), 8);
}

TEST_F(LimitsTest, ATurnThatCannotComeBeforeTheDeadlineIsAnsweredAtOnce) {
  // One start every 2 s, and clients that wait 5 s: of 20 lookups sent together, the first
  // starts at once and one or two more before the deadline; every other one must be answered
  // at once (rate_limited, with retry_after), not left to time out.
  StartFakes({});
  StartProxy({"--upstream-limit", "whois.nic.test", "rate", "1/2s", "--lookup-timeout", "5000"});
  auto c = proxy_->Connect();
  auto domains = Domains("d", 20);
  for (const auto& d : domains) redisAppendCommand(c.get(), "GET %s", d.c_str());
  std::vector<std::string> replies;
  for (size_t i = 0; i < domains.size(); ++i) {
    redisReply* r = nullptr;
    ASSERT_EQ(redisGetReply(c.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
    replies.emplace_back(r->str, r->len);
    freeReplyObject(r);
  }
  int registered = Count(replies, R"("status":"registered")");
  int limited = Count(replies, R"("status":"fallback","reason":"rate_limited","retry_after":)");
  EXPECT_EQ(registered + limited, 20);
  EXPECT_GE(registered, 1);
  EXPECT_LE(registered, 3);
  // Nobody was left to wait for the deadline: that would have given a `timeout` fallback.
  EXPECT_EQ(Count(replies, R"("reason":"timeout")"), 0);
  EXPECT_LE(fake_whois::MaxServedInWindow(registry_->ReadLog(), 2000), 1);
}

TEST_F(LimitsTest, TheDailyCapHoldsAcrossRestartsAndKillNine) {
  StartFakes({});
  // A generous lookup-timeout, so a slow machine cannot turn an admitted lookup into a timeout.
  std::vector<std::string> limit = {
      "--upstream-limit", "whois.nic.test", "daily", "5", "rate", "100/s",
      "--lookup-timeout", "30000"};
  StartProxy(limit);
  auto c = proxy_->Connect();
  int registered = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = Command(c.get(), {"GET", "q" + std::to_string(i) + ".test"});
    registered += std::string(r->str, r->len).find("\"registered\"") != std::string::npos;
  }
  EXPECT_EQ(registered, 3);
  proxy_->Kill();  // SIGKILL: whatever was reserved counts as used
  StartProxy(limit);
  c = proxy_->Connect();
  int daily_limited = 0;
  for (int i = 3; i < 10; ++i) {
    auto r = Command(c.get(), {"GET", "q" + std::to_string(i) + ".test"});
    std::string json(r->str, r->len);
    registered += json.find("\"registered\"") != std::string::npos;
    daily_limited += json.find(R"("reason":"daily_limit","retry_after":)") != std::string::npos;
  }
  EXPECT_LE(registered, 5);
  EXPECT_GE(daily_limited, 2);
  proxy_->Stop();
  StartProxy(limit);
  c = proxy_->Connect();
  auto r = Command(c.get(), {"GET", "after-restart.test"});
  EXPECT_NE(std::string(r->str, r->len).find(R"("reason":"daily_limit")"), std::string::npos);
  // What the registry saw is what counts: never more than 5 queries in the day.
  EXPECT_LE(Served(), 5u);
}

TEST_F(LimitsTest, ARestartDoesNotBurstAsIfTheWindowWereEmpty) {
  // The proxy may start 9 per 2 s, the registry serves 10 (a tenth of margin): 9 lookups, a
  // kill -9, 9 more. A restarted proxy that took its window for empty would put all 18 into one
  // window of the registry's.
  StartFakes({"--limit-rate", "10/2s"});
  std::vector<std::string> limit = {"--upstream-limit", "whois.nic.test", "rate", "9/2s",
                                    "--lookup-timeout", "30000"};
  StartProxy(limit);
  EXPECT_EQ(Count(GetAll(Domains("a", 9)), R"("status":"registered")"), 9);
  proxy_->Kill();
  StartProxy(limit);
  EXPECT_EQ(Count(GetAll(Domains("b", 9)), R"("status":"registered")"), 9);
  EXPECT_EQ(Refusals(), 0u);
  EXPECT_LE(fake_whois::MaxServedInWindow(registry_->ReadLog(), 2000), 10);
}

TEST_F(LimitsTest, ARefusingHostIsLeftAloneForTheTimeItAsks) {
  StartFakes({});
  StartProxy({"--upstream-limit", "whois.nic.test", "rate", "100/s"});
  auto c = proxy_->Connect();
  auto r = Command(c.get(), {"GET", "limited.test"});
  EXPECT_NE(std::string(r->str, r->len).find(R"("reason":"refused","retry_after":60)"),
            std::string::npos);
  r = Command(c.get(), {"GET", "next.test"});
  std::string json(r->str, r->len);
  EXPECT_NE(json.find(R"("status":"fallback","reason":"rate_limited")"), std::string::npos) << json;
  for (const auto& e : registry_->ReadLog()) EXPECT_NE(e.query, "next.test");
  r = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_GT(r->element[19]->integer, 50'000);  // cooldown_remaining_ms: the 60 s it asked for
  EXPECT_EQ(r->element[25]->integer, 1);       // refusals
  auto info = Command(c.get(), {"INFO", "whois"});
  std::string text(info->str, info->len);
  EXPECT_NE(text.find("upstream_whois.nic.test:admitted=1,"), std::string::npos) << text;
  EXPECT_NE(text.find(",refusals=1"), std::string::npos) << text;
}

TEST_F(LimitsTest, LimitsChangeAtRunTime) {
  StartFakes({});
  StartProxy({});
  auto c = proxy_->Connect();
  Command(c.get(), {"GET", "seen.test"});
  auto all = Command(c.get(), {"WHOIS.LIMITS"});
  ASSERT_EQ(all->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(all->elements, 2u);  // IANA and the registry, in host order
  EXPECT_STREQ(all->element[0]->element[1]->str, "whois.iana.org");
  EXPECT_STREQ(all->element[1]->element[1]->str, "whois.nic.test");
  EXPECT_EQ(all->element[1]->element[11]->integer, 1);                // admitted
  EXPECT_STREQ(all->element[1]->element[13]->str, "1/1 per 1000ms");  // default: 1 per second
  auto r = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_STREQ(r->element[5]->str, "default");
  EXPECT_STREQ(
      Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test", "rate", "3/s", "daily", "50"})->str,
      "OK");
  r = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test"});
  EXPECT_STREQ(r->element[5]->str, "operator");
  EXPECT_NE(std::string(r->element[3]->str).find("rate 3/s"), std::string::npos);
  r = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test", "rate", "lots"});
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_STREQ(Command(c.get(), {"WHOIS.LIMITS", "whois.nic.test", "RESET"})->str, "OK");
  r = Command(c.get(), {"WHOIS.LIMITS", "whois.nic.uk"});
  EXPECT_STREQ(r->element[5]->str, "builtin");
  EXPECT_NE(std::string(r->element[3]->str).find("daily 1000"), std::string::npos);
}

}  // namespace
