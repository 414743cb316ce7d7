// Live resolution end to end: the real whois-proxy binary against fake WHOIS servers on
// 127.0.0.1 playing IANA, registries and registrars (every upstream host is pinned with
// `upstream-address`, so nothing leaves the machine, not even DNS).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"
#include "wait_until.h"

namespace {

using fake_whois::FakeWhoisProcess;
using fake_whois::IanaTldAnswer;
using test_support::Command;
using test_support::ProxyProcess;

const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registry Domain ID: 123_DOMAIN_TEST\r\n"
    "Registrar WHOIS Server: whois.registrar.test\r\n"
    "Updated Date: 2024-05-01T10:00:00Z\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Registry Expiry Date: 2030-02-03T04:05:06Z\r\n"
    "Registrar: Thin Registry Registrar\r\n"
    "Registrar IANA ID: 9999\r\n"
    "Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n"
    "Name Server: NS2.EXAMPLE.NET\r\n"
    "DNSSEC: unsigned\r\n";

const char kRegistrarReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar WHOIS Server: whois.registrar.test\r\n"
    "Registrar: Specific Registrar GmbH\r\n"
    "Registrar IANA ID: 4242\r\n"
    "Registrant Name: Jane Owner\r\n"
    "Registrant Organization: Owner Holding AG\r\n"
    "Registrant City: Zurich\r\n"
    "Registrant Country: CH\r\n"
    "Registrant Email: jane@owner.example\r\n"
    "Name Server: ns1.example.net\r\n";

// IANA, one registry (whois.nic.test) and one registrar (whois.registrar.test).
class ChainTest : public ::testing::Test {
 protected:
  void StartFakes(std::vector<std::string> registry_args = {},
                  std::vector<std::string> registrar_args = {}) {
    iana_ = std::make_unique<FakeWhoisProcess>();
    iana_->AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
    iana_->AddResponse("none", IanaTldAnswer("NONE", ""));
    registry_ = std::make_unique<FakeWhoisProcess>(registry_args);
    registry_->SetDefaultResponse(kRegistryReply);
    registry_->AddResponse("free.test", "No match for \"FREE.TEST\".\r\n");
    registry_->AddResponse("limited.test",
                           "%  Query rate limit exceeded. Try again after 60 seconds.\r\n");
    registrar_ = std::make_unique<FakeWhoisProcess>(registrar_args);
    registrar_->SetDefaultResponse(kRegistrarReply);
    ASSERT_TRUE(iana_->Start()) << iana_->error();
    ASSERT_TRUE(registry_->Start()) << registry_->error();
    ASSERT_TRUE(registrar_->Start()) << registrar_->error();
  }
  void StartProxy(std::vector<std::string> extra = {}, std::string dir = "") {
    std::vector<std::string> args = test_support::FakeUpstreamArgs(*iana_, *registry_);
    args.insert(args.end(),
                {"--upstream-address", "whois.registrar.test", LoopbackAddress(*registrar_)});
    // A client waits for a live lookup as long as one takes on a slow machine (sanitizers, load);
    // tests of the deadline itself set their own.
    if (std::find(extra.begin(), extra.end(), "--lookup-timeout") == extra.end())
      args.insert(args.end(), {"--lookup-timeout", "60000"});
    args.insert(args.end(), extra.begin(), extra.end());
    proxy_ = std::make_unique<ProxyProcess>(args, dir);
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }
  std::string Get(const std::string& name) {
    auto r = Command(c_.get(), {"GET", name});
    if (!r || r->type != REDIS_REPLY_STRING) return "<not a string>";
    return std::string(r->str, r->len);
  }
  static size_t CountQueries(const FakeWhoisProcess& f, const std::string& query) {
    size_t n = 0;
    for (const auto& e : f.ReadLog()) n += e.query == query;
    return n;
  }
  // The count once at least `at_least` are logged: a fake logs a query when its connection has
  // closed, which can be after the proxy answered its client.
  static size_t QueriesOnceLogged(const FakeWhoisProcess& f, const std::string& query,
                                  size_t at_least) {
    test_support::WaitUntil([&] { return CountQueries(f, query) >= at_least; });
    return CountQueries(f, query);
  }

  std::unique_ptr<FakeWhoisProcess> iana_, registry_, registrar_;
  std::unique_ptr<ProxyProcess> proxy_;
  ProxyProcess::Redis c_;
};

TEST_F(ChainTest, FollowsIanaRegistryAndRegistrarAndMergesTheReplies) {
  StartFakes();
  StartProxy();
  std::string json = Get("https://www.Example.TEST/path");
  EXPECT_NE(json.find(R"("domain":"example.test","status":"registered")"), std::string::npos)
      << json;
  // The registrar's reply is more specific and wins; the registry's fields fill the gaps.
  EXPECT_NE(json.find("Specific Registrar GmbH"), std::string::npos) << json;
  EXPECT_NE(json.find("Owner Holding AG"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("created":"2001-02-03T04:05:06Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("country":"CH","country_source":"registrant")"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("servers":["whois.nic.test","whois.registrar.test"])"), std::string::npos)
      << json;
  // IANA was asked about the TLD once; registry and registrar about the domain once each.
  EXPECT_EQ(QueriesOnceLogged(*iana_, "test", 1), 1u);
  EXPECT_EQ(QueriesOnceLogged(*registry_, "example.test", 1), 1u);
  EXPECT_EQ(QueriesOnceLogged(*registrar_, "example.test", 1), 1u);

  // The second GET is a cache hit: no upstream query.
  EXPECT_EQ(Get("example.test"), json);
  EXPECT_EQ(CountQueries(*registry_, "example.test"), 1u);

  // WHOIS.RAW gives the chain's raw replies.
  auto raw = Command(c_.get(), {"WHOIS.RAW", "example.test"});
  ASSERT_EQ(raw->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(raw->elements, 2u);
  EXPECT_STREQ(raw->element[0]->element[1]->str, "whois.nic.test");
  EXPECT_STREQ(raw->element[0]->element[3]->str, "example.test");
  EXPECT_NE(std::string(raw->element[0]->element[7]->str).find("Thin Registry Registrar"),
            std::string::npos);
  EXPECT_STREQ(raw->element[1]->element[1]->str, "whois.registrar.test");

  // A different domain of the same TLD does not ask IANA again.
  Get("other.test");
  EXPECT_EQ(CountQueries(*iana_, "test"), 1u);

  // WHOIS.LOOKUP resolves afresh, bypassing the cache.
  auto fresh = Command(c_.get(), {"WHOIS.LOOKUP", "example.test"});
  ASSERT_EQ(fresh->type, REDIS_REPLY_STRING);
  EXPECT_EQ(QueriesOnceLogged(*registry_, "example.test", 2), 2u);
}

TEST_F(ChainTest, NotFoundRefusedAndNoServer) {
  StartFakes();
  StartProxy();
  EXPECT_NE(Get("free.test").find(R"("status":"not_found")"), std::string::npos);
  std::string limited = Get("limited.test");
  EXPECT_NE(limited.find(R"("status":"fallback","reason":"refused","retry_after":60)"),
            std::string::npos)
      << limited;
  // IANA says .none has no port-43 server.
  std::string none = Get("x.none");
  EXPECT_NE(none.find(R"("status":"fallback","reason":"no_server")"), std::string::npos) << none;
  // A TLD IANA knows nothing about: fallback, and the country comes from the TLD where it can.
  std::string de = Get("beispiel.de");
  EXPECT_NE(de.find(R"("status":"fallback")"), std::string::npos) << de;
  EXPECT_NE(de.find(R"("country":"DE","country_source":"tld")"), std::string::npos) << de;
  EXPECT_EQ(CountQueries(*registrar_, "free.test"), 0u);
}

TEST_F(ChainTest, ConcurrentGetsForOneColdDomainShareOneChain) {
  StartFakes({"--latency-ms", "400"});
  StartProxy();
  constexpr int kClients = 20, kPerClient = 10;
  std::vector<ProxyProcess::Redis> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(proxy_->Connect());
  for (auto& c : clients)
    for (int j = 0; j < kPerClient; ++j) redisAppendCommand(c.get(), "GET %s", "cold.test");
  int registered = 0;
  for (auto& c : clients) {
    for (int j = 0; j < kPerClient; ++j) {
      redisReply* r = nullptr;
      ASSERT_EQ(redisGetReply(c.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
      registered += std::string(r->str, r->len).find("\"registered\"") != std::string::npos;
      freeReplyObject(r);
    }
  }
  EXPECT_EQ(registered, kClients * kPerClient);
  EXPECT_EQ(QueriesOnceLogged(*registry_, "cold.test", 1), 1u);
  EXPECT_EQ(QueriesOnceLogged(*registrar_, "cold.test", 1), 1u);
  EXPECT_EQ(QueriesOnceLogged(*iana_, "test", 1), 1u);
}

TEST_F(ChainTest, SlowUpstreamGivesTimeoutFallbackAndStillFillsTheCache) {
  // The registry answers after 3 s; the client waits 150 ms. (Only "it did not wait for the
  // registry" is asserted: a loaded machine may take longer than 150 ms to answer.)
  StartFakes({"--latency-ms", "3000"});
  StartProxy({"--lookup-timeout", "150"});
  auto t0 = std::chrono::steady_clock::now();
  std::string first = Get("slow.test");
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_NE(first.find(R"("status":"fallback","reason":"timeout")"), std::string::npos) << first;
  EXPECT_LT(waited, std::chrono::milliseconds(2500));
  // The lookup went on: once it ends, the record is in the cache.
  EXPECT_TRUE(test_support::WaitUntil([&] {
    return Command(c_.get(), {"EXISTS", "slow.test"})->integer == 1;
  }));
  std::string later = Get("slow.test");
  EXPECT_NE(later.find(R"("status":"registered")"), std::string::npos) << later;
  EXPECT_EQ(QueriesOnceLogged(*registry_, "slow.test", 1), 1u);
}

TEST_F(ChainTest, HungRegistryTimesOutAndAFailingRegistrarKeepsTheRegistryData) {
  StartFakes({}, {"--mode", "reset"});
  StartProxy({"--upstream-timeout", "1000"});
  std::string json = Get("partial.test");
  // The registrar reset the connection: the record keeps what the registry said.
  EXPECT_NE(json.find(R"("status":"registered")"), std::string::npos) << json;
  EXPECT_NE(json.find("Thin Registry Registrar"), std::string::npos) << json;
  registry_->Control("mode hang");
  std::string hung = Get("hung.test");
  EXPECT_NE(hung.find(R"("status":"fallback","reason":"timeout")"), std::string::npos) << hung;
}

TEST_F(ChainTest, GarbageAndOversizedRepliesBecomeFallbacksNotRecords) {
  StartFakes({"--mode", "garbage"});
  StartProxy({"--upstream-max-reply", "64kb"});
  std::string garbage = Get("garbage.test");
  EXPECT_NE(garbage.find(R"("status":"fallback","reason":"refused")"), std::string::npos)
      << garbage;
  registry_->Control("mode oversize");
  std::string big = Get("big.test");
  EXPECT_NE(big.find(R"("status":"fallback")"), std::string::npos) << big.substr(0, 300);
  // Cut at the cap, not waited out: reading on until upstream-timeout gives a timeout fallback.
  EXPECT_EQ(big.find(R"("reason":"timeout")"), std::string::npos) << big.substr(0, 300);
  // The raw text kept is capped.
  auto raw = Command(c_.get(), {"WHOIS.RAW", "big.test"});
  ASSERT_EQ(raw->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(raw->elements, 1u);
  EXPECT_LE(raw->element[0]->element[7]->len, size_t{64 * 1024});
  EXPECT_EQ(Command(c_.get(), {"PING"})->type, REDIS_REPLY_STATUS);
}

TEST_F(ChainTest, AnOldDirectoryEntryIsRefreshedFromIanaInTheBackground) {
  StartFakes();
  // Every entry is older than one second: the first lookup learns .test from IANA (nothing
  // known yet), a lookup two seconds later uses the known entry at once and refreshes it.
  StartProxy({"--directory-max-age", "1"});
  Get("a.test");
  EXPECT_EQ(QueriesOnceLogged(*iana_, "test", 1), 1u);
  // Waiting for the entry to age, not for a result: no event says "a second has passed".
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_NE(Get("b.test").find(R"("status":"registered")"), std::string::npos);
  EXPECT_TRUE(test_support::WaitUntil([&] { return CountQueries(*iana_, "test") >= 2; }));
  EXPECT_EQ(CountQueries(*iana_, "test"), 2u);
}

TEST_F(ChainTest, ReferralLoopsAndTheHopCapEndTheChain) {
  // The registrar refers to a second registrar, which refers back to the first: a loop.
  iana_ = std::make_unique<FakeWhoisProcess>();
  iana_->AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
  registry_ = std::make_unique<FakeWhoisProcess>();
  registry_->SetDefaultResponse(kRegistryReply);
  registrar_ = std::make_unique<FakeWhoisProcess>();
  registrar_->SetDefaultResponse(
      "Domain Name: {QUERY}\r\nRegistrar WHOIS Server: whois.reseller.test\r\n"
      "Registrar: Specific Registrar GmbH\r\n");
  FakeWhoisProcess reseller;
  reseller.SetDefaultResponse(
      "Domain Name: {QUERY}\r\nRegistrar WHOIS Server: whois.registrar.test\r\n"
      "Registrant Organization: Reseller Customer\r\n");
  ASSERT_TRUE(iana_->Start() && registry_->Start() && registrar_->Start() && reseller.Start());
  StartProxy({"--upstream-address", "whois.reseller.test", LoopbackAddress(reseller)});
  std::string json = Get("loop.test");
  EXPECT_NE(json.find("Reseller Customer"), std::string::npos) << json;
  EXPECT_EQ(QueriesOnceLogged(*registrar_, "loop.test", 1), 1u);
  EXPECT_EQ(QueriesOnceLogged(reseller, "loop.test", 1), 1u);

  // With one hop allowed, the chain stops at the first registrar.
  proxy_.reset();
  StartProxy({"--upstream-address", "whois.reseller.test", LoopbackAddress(reseller),
              "--max-referral-hops", "1"});
  json = Get("capped.test");
  EXPECT_EQ(json.find("Reseller Customer"), std::string::npos) << json;
  EXPECT_EQ(QueriesOnceLogged(*registrar_, "capped.test", 1), 1u);
  EXPECT_EQ(CountQueries(reseller, "capped.test"), 0u);
}

TEST_F(ChainTest, UntrustedReferralsAreNotFollowed) {
  iana_ = std::make_unique<FakeWhoisProcess>();
  iana_->AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
  registry_ = std::make_unique<FakeWhoisProcess>();
  registry_->AddResponse("ip.test",
                         "Domain Name: IP.TEST\r\nRegistrar WHOIS Server: 127.0.0.1\r\n"
                         "Registrar: R\r\n");
  // A URL-shaped referral: scheme and path are stripped, the port is kept. (The host is pinned
  // here, since tests never use DNS; the address policy for unpinned hosts has unit tests.)
  registry_->AddResponse("url.test",
                         "Domain Name: URL.TEST\r\n"
                         "Registrar WHOIS Server: whois://Whois.Registrar.TEST:4343/path\r\n"
                         "Registrar: R\r\n");
  registrar_ = std::make_unique<FakeWhoisProcess>();
  registrar_->SetDefaultResponse(kRegistrarReply);
  ASSERT_TRUE(iana_->Start() && registry_->Start() && registrar_->Start());
  StartProxy();
  std::string ip = Get("ip.test");
  EXPECT_NE(ip.find(R"("status":"registered")"), std::string::npos) << ip;
  auto raw = Command(c_.get(), {"WHOIS.RAW", "ip.test"});
  EXPECT_EQ(raw->elements, 1u);
  std::string url = Get("url.test");
  EXPECT_NE(url.find("Owner Holding AG"), std::string::npos) << url;
  raw = Command(c_.get(), {"WHOIS.RAW", "url.test"});
  ASSERT_EQ(raw->elements, 2u);
  EXPECT_STREQ(raw->element[1]->element[1]->str, "whois.registrar.test:4343");
}

TEST_F(ChainTest, TheDirectoryIsLearnedOnceAndSurvivesRestart) {
  StartFakes();
  test_support::TempDir dir;
  StartProxy({}, dir.path());
  Get("a.test");
  auto entry = Command(c_.get(), {"WHOIS.SERVER", "test"});
  ASSERT_EQ(entry->type, REDIS_REPLY_STRING);
  std::string e(entry->str, entry->len);
  EXPECT_NE(e.find(R"("host":"whois.nic.test")"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("origin":"iana")"), std::string::npos) << e;
  proxy_->Stop();
  StartProxy({}, dir.path());
  Get("b.test");
  EXPECT_EQ(CountQueries(*iana_, "test"), 1u);  // learned before the restart
}

TEST(SpecialQueryFormats, RegistriesGetTheSyntaxTheyNeedAndRepliesAreDecoded) {
  FakeWhoisProcess denic, verisign, registro({"--charset", "iso-8859-1"});
  denic.SetDefaultResponse("Domain: beispiel.de\r\nStatus: connect\r\n");
  verisign.SetDefaultResponse("   Domain Name: EXAMPLE.COM\r\n   Registrar: V\r\n");
  registro.SetDefaultResponse(
      "domain:      exemplo.com.br\r\nowner:       Jo\xC3\xA3o da Silva\r\ncountry:     BR\r\n");
  ASSERT_TRUE(denic.Start() && verisign.Start() && registro.Start());
  // The bundled directory; IANA pinned to a closed port, so the background refresh of old
  // bundled entries fails fast and never leaves the machine.
  ProxyProcess proxy({"--upstream-address", "whois.iana.org", "127.0.0.1:1", "--upstream-address",
                      "whois.denic.de", LoopbackAddress(denic), "--upstream-address",
                      "whois.verisign-grs.com", LoopbackAddress(verisign), "--upstream-address",
                      "whois.registro.br", LoopbackAddress(registro), "--bundled-directory",
                      "yes"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  Command(c.get(), {"GET", "beispiel.de"});
  Command(c.get(), {"GET", "example.com"});
  auto r = Command(c.get(), {"GET", "exemplo.com.br"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  ASSERT_EQ(denic.ReadLog().size(), 1u);
  EXPECT_EQ(denic.ReadLog()[0].query, "-T dn,ace beispiel.de");
  ASSERT_EQ(verisign.ReadLog().size(), 1u);
  EXPECT_EQ(verisign.ReadLog()[0].query, "domain example.com");
  // registro.br answers in ISO-8859-1; the raw text is stored decoded to UTF-8.
  auto raw = Command(c.get(), {"WHOIS.RAW", "exemplo.com.br"});
  ASSERT_EQ(raw->type, REDIS_REPLY_ARRAY);
  ASSERT_GE(raw->elements, 1u);
  EXPECT_NE(std::string(raw->element[0]->element[7]->str).find("Jo\xC3\xA3o"), std::string::npos);
  auto jp = Command(c.get(), {"WHOIS.SERVER", "jp"});
  EXPECT_NE(std::string(jp->str, jp->len).find(R"("query_format":"%s/e")"), std::string::npos);
}

}  // namespace
