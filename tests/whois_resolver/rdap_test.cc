// RDAP beside WHOIS, end to end: the proxy against a fake RDAP server and fake WHOIS servers on
// 127.0.0.1. The source policy (`lookup-order`), the registry -> registrar link, falling back to
// the other source, and the limits and address policy for RDAP hosts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fake_rdap_process.h"
#include "fake_whois_process.h"
#include "proxy_process.h"
#include "wait_until.h"

namespace {

using fake_rdap::FakeRdapProcess;
using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;

class RdapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    iana_ = std::make_unique<FakeWhoisProcess>();
    iana_->AddResponse("com", "domain: COM\r\n\r\nwhois: whois.registry.test\r\n");
    whois_ = std::make_unique<FakeWhoisProcess>();
    whois_->SetDefaultResponse(
        "Domain Name: {QUERY}\r\nRegistrar: Whois Registrar\r\n"
        "Creation Date: 2001-02-03T04:05:06Z\r\nName Server: ns1.example.net\r\n");
    whois_->AddResponse("limited.com", "%  Query rate limit exceeded\r\n");
    ASSERT_TRUE(iana_->Start()) << iana_->error();
    ASSERT_TRUE(whois_->Start()) << whois_->error();
    ASSERT_TRUE(rdap_.Start()) << rdap_.error();
  }
  // `rdap_base`: the URL `rdap-server com` names (a /_mode/<mode>/ prefix makes the fake
  // misbehave).
  void StartProxy(const std::string& order, const std::string& rdap_base,
                  std::vector<std::string> extra = {"--allow-private-upstreams", "yes"}) {
    std::vector<std::string> args = {"--bundled-directory",
                                     "no",
                                     "--lookup-order",
                                     order,
                                     "--rdap-server",
                                     "com",
                                     rdap_base,
                                     "--upstream-address",
                                     "whois.iana.org",
                                     LoopbackAddress(*iana_),
                                     "--upstream-address",
                                     "whois.registry.test",
                                     LoopbackAddress(*whois_)};
    args.insert(args.end(), extra.begin(), extra.end());
    proxy_ = std::make_unique<ProxyProcess>(args);
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
  }
  std::string Get(const std::string& name) {
    auto r = Command(c_.get(), {"GET", name});
    return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "<no string>";
  }
  size_t RdapRequests(const std::string& path) {
    size_t n = 0;
    for (const auto& e : rdap_.ReadLog()) n += e.path.find(path) != std::string::npos;
    return n;
  }
  size_t WhoisQueries() { return whois_->ReadLog().size(); }

  std::unique_ptr<FakeWhoisProcess> iana_, whois_;
  FakeRdapProcess rdap_;
  std::unique_ptr<ProxyProcess> proxy_;
  ProxyProcess::Redis c_;
};

TEST_F(RdapTest, RdapFirstFollowsTheRegistrarLinkAndMergesIt) {
  StartProxy("rdap-first", rdap_.base_url() + "/");
  std::string json = Get("www.example.com");
  EXPECT_NE(json.find(R"("status":"registered")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("protocol":"rdap")"), std::string::npos) << json;
  // The registrar's record is more specific: its registrant organisation and country.
  EXPECT_NE(json.find("Example Holdings Ltd"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("country":"GB","country_source":"registrant")"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("iana_id":"9999")"), std::string::npos) << json;
  EXPECT_EQ(json.find("REDACTED"), std::string::npos) << json;  // placeholders never published
  EXPECT_EQ(RdapRequests("/domain/example.com"), 2u);           // registry, then registrar
  EXPECT_EQ(WhoisQueries(), 0u);
  // WHOIS.RAW shows the RDAP documents.
  auto raw = Command(c_.get(), {"WHOIS.RAW", "example.com"});
  ASSERT_EQ(raw->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(raw->elements, 2u);
  EXPECT_STREQ(raw->element[0]->element[1]->str, "127.0.0.1");
  EXPECT_NE(std::string(raw->element[0]->element[7]->str).find("\"objectClassName\""),
            std::string::npos);
}

TEST_F(RdapTest, RdapGoesOutFromTheSourceAddressesAsWhoisDoes) {
  // Two source addresses: libcurl binds the one the host's budgets chose (CURLOPT_INTERFACE
  // "host!ADDR"), the registry's request from the first, the registrar's (the same fake host
  // here) from the less used one.
  StartProxy(
      "rdap-only", rdap_.base_url() + "/",
      {"--allow-private-upstreams", "yes", "--upstream-source-address", "127.0.1.1", "127.0.2.1"});
  std::string json = Get("www.example.com");
  EXPECT_NE(json.find(R"("status":"registered")"), std::string::npos) << json;
  std::set<std::string> clients;
  for (const auto& e : rdap_.ReadLog()) clients.insert(e.client);
  EXPECT_EQ(clients, (std::set<std::string>{"127.0.1.1", "127.0.2.1"}));
}

TEST_F(RdapTest, NotFoundIsAnAnswerAndOtherFailuresFallBackToWhois) {
  StartProxy("rdap-first", rdap_.base_url() + "/");
  EXPECT_NE(Get("nosuch.com").find(R"("status":"not_found")"), std::string::npos);
  EXPECT_EQ(WhoisQueries(), 0u);
  proxy_.reset();
  // 429: the RDAP host refuses; WHOIS answers, and the record says so.
  StartProxy("rdap-first", rdap_.base_url() + "/_mode/ratelimit/");
  std::string json = Get("example.com");
  EXPECT_NE(json.find(R"("status":"registered")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("protocol":"whois")"), std::string::npos) << json;
  EXPECT_NE(json.find("Whois Registrar"), std::string::npos) << json;
  auto raw = Command(c_.get(), {"WHOIS.RAW", "example.com"});
  ASSERT_EQ(raw->elements, 2u);  // the refused RDAP request, then the WHOIS reply
  // The RDAP host is now cooling down (Retry-After): the next lookup goes to WHOIS at once.
  size_t before = RdapRequests("ratelimit");
  EXPECT_NE(Get("other.com").find(R"("protocol":"whois")"), std::string::npos);
  EXPECT_EQ(RdapRequests("ratelimit"), before);
  proxy_.reset();
  // Malformed JSON: nothing usable, WHOIS answers.
  StartProxy("rdap-first", rdap_.base_url() + "/_mode/malformed/");
  EXPECT_NE(Get("example.com").find(R"("protocol":"whois")"), std::string::npos);
}

TEST_F(RdapTest, WhoisFirstAndWhoisOnly) {
  StartProxy("whois-first", rdap_.base_url() + "/");
  EXPECT_NE(Get("example.com").find(R"("protocol":"whois")"), std::string::npos);
  EXPECT_EQ(RdapRequests("/domain/"), 0u);
  // WHOIS refuses: RDAP is asked.
  std::string json = Get("limited.com");
  EXPECT_NE(json.find(R"("status":"not_found","source":{"protocol":"rdap")"), std::string::npos)
      << json;
  proxy_.reset();
  StartProxy("whois-only", rdap_.base_url() + "/");
  Get("second.com");
  EXPECT_EQ(RdapRequests("second.com"), 0u);
}

TEST_F(RdapTest, ARegistrarLinkToAPrivateAddressIsNotFollowed) {
  // The operator's rdap-server URL may be on loopback; a link found in RDAP data may not,
  // unless allow-private-upstreams is set.
  StartProxy("rdap-first", rdap_.base_url() + "/", {});
  std::string json = Get("example.com");
  EXPECT_NE(json.find(R"("status":"registered")"), std::string::npos) << json;
  EXPECT_EQ(json.find("Example Holdings Ltd"), std::string::npos) << json;
  EXPECT_EQ(RdapRequests("/registrar/"), 0u);
}

TEST(RdapBootstrapRefresh, TheRegistryIsFetchedStoredAndUsedAfterARestart) {
  // The fake serves a bootstrap registry at /dns naming itself the RDAP server of .test (a TLD
  // the bundled copy does not have) while dns.json exists, and a 404 otherwise. The proxy
  // refreshes every second, so each step below waits for what it needs rather than for a time.
  test_support::TempDir fixtures;
  const std::string dns_json = fixtures.path() + "/dns.json";
  FakeRdapProcess rdap({"--fixtures", fixtures.path()});
  ASSERT_TRUE(rdap.Start()) << rdap.error();
  FakeWhoisProcess iana;
  iana.AddResponse("test", "domain: TEST\r\n\r\nwhois: whois.nic.test\r\n");
  FakeWhoisProcess registry;
  registry.SetDefaultResponse("Domain Name: {QUERY}\r\nRegistrar: R\r\nName Server: ns1.x.net\r\n");
  ASSERT_TRUE(iana.Start() && registry.Start());
  test_support::TempDir dir;
  std::vector<std::string> args = {"--bundled-directory",
                                   "no",
                                   "--lookup-order",
                                   "rdap-first",
                                   "--allow-private-upstreams",
                                   "yes",
                                   "--rdap-bootstrap-url",
                                   rdap.base_url() + "/dns",
                                   "--rdap-bootstrap-refresh",
                                   "1",
                                   "--upstream-address",
                                   "whois.iana.org",
                                   LoopbackAddress(iana),
                                   "--upstream-address",
                                   "whois.nic.test",
                                   LoopbackAddress(registry)};
  auto proxy = std::make_unique<ProxyProcess>(args, dir.path());
  ASSERT_TRUE(proxy->Start()) << proxy->log();
  auto c = proxy->Connect();
  auto get = [&c](const std::string& name) {
    auto r = Command(c.get(), {"GET", name});
    return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "<no record>";
  };
  // No registry could be fetched yet: .test has no RDAP server, and WHOIS answers.
  std::string json = get("early.test");
  EXPECT_NE(json.find(R"("protocol":"whois")"), std::string::npos) << json;

  // Once the fake serves one, a refresh fetches it, and .test is asked over RDAP from then on
  // (each GET below is a new name, so none is answered from the cache).
  {
    FILE* f = fopen(dns_json.c_str(), "w");
    ASSERT_TRUE(f);
    fputs(R"({"version":"1.0","publication":"2030-01-01T00:00:00Z","description":"test",)"
          R"("services":[[["test"],["{BASE}/"]]]})",
          f);
    fclose(f);
  }
  int n = 0;
  EXPECT_TRUE(test_support::WaitUntil(
      [&] {
        json = get("later" + std::to_string(n++) + ".test");
        return json.find(R"("protocol":"rdap")") != std::string::npos;
      },
      test_support::kPatience, std::chrono::milliseconds(100)))
      << json << "\n"
      << rdap.ReadLogText();
  // There is no document for the name: RDAP's 404 is the answer.
  EXPECT_NE(json.find(R"("status":"not_found","source":{"protocol":"rdap")"), std::string::npos)
      << json;
  proxy->Stop();

  // After a restart the stored registry is used at once: the fake no longer serves one, so no
  // refresh can have brought it back.
  std::filesystem::remove(dns_json);
  proxy = std::make_unique<ProxyProcess>(args, dir.path());
  ASSERT_TRUE(proxy->Start()) << proxy->log();
  c = proxy->Connect();
  json = get("after-restart.test");
  EXPECT_NE(json.find(R"("protocol":"rdap")"), std::string::npos) << json;
}

}  // namespace
