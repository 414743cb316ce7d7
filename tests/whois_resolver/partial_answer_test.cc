// Partial answers (issue 18): when the registry has answered and the registrar's hop is still
// running at `lookup-timeout`, the waiting client gets the registry's data with "partial": true
// instead of an empty fallback, and the lookup goes on to store the complete record. End to end:
// the real whois-proxy against fake WHOIS servers on 127.0.0.1 (a registry that answers at once
// and a registrar that answers late).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;

const char kIanaAnswer[] =
    "% IANA WHOIS server\r\n\r\ndomain:       TEST\r\n\r\norganisation: Test\r\n"
    "whois:        whois.nic.test\r\n\r\nstatus:       ACTIVE\r\n";

// A thin registry reply naming the registrar's server.
const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar WHOIS Server: whois.registrar.test\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Registry Expiry Date: 2030-02-03T04:05:06Z\r\n"
    "Registrar: Registry Side Registrar\r\n"
    "Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n"
    "Name Server: NS2.EXAMPLE.NET\r\n";

const char kRegistrarReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar: Registrar Side GmbH\r\n"
    "Registrant Organization: Owner Holding AG\r\n"
    "Registrant Country: CH\r\n";

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class PartialAnswerTest : public ::testing::Test {
 protected:
  // `registry_latency_ms` and `registrar_latency_ms` delay each fake's answers.
  void Start(int registry_latency_ms, int registrar_latency_ms, int lookup_timeout_ms) {
    iana_ = std::make_unique<FakeWhoisProcess>();
    iana_->AddResponse("test", kIanaAnswer);
    registry_ = std::make_unique<FakeWhoisProcess>(
        std::vector<std::string>{"--latency-ms", std::to_string(registry_latency_ms)});
    registry_->SetDefaultResponse(kRegistryReply);
    registrar_ = std::make_unique<FakeWhoisProcess>(
        std::vector<std::string>{"--latency-ms", std::to_string(registrar_latency_ms)});
    registrar_->SetDefaultResponse(kRegistrarReply);
    ASSERT_TRUE(iana_->Start()) << iana_->error();
    ASSERT_TRUE(registry_->Start()) << registry_->error();
    ASSERT_TRUE(registrar_->Start()) << registrar_->error();
    std::vector<std::string> args = test_support::FakeUpstreamArgs(*iana_, *registry_);
    args.insert(args.end(),
                {"--upstream-address", "whois.registrar.test", LoopbackAddress(*registrar_),
                 // No limits to wait for: the test is about the registrar's latency.
                 "--default-upstream-limit", "concurrency", "8", "rate", "100/s", "--lookup-order",
                 "whois-only", "--lookup-timeout", std::to_string(lookup_timeout_ms)});
    proxy_ = std::make_unique<ProxyProcess>(args);
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
    // The TLD's server is learned from IANA once, before the measured lookups.
    Get("warmup.test");
    WaitStored("warmup.test");
  }
  std::string Get(const std::string& name) {
    auto r = Command(c_.get(), {"GET", name});
    if (!r || r->type != REDIS_REPLY_STRING) return "<not a string>";
    return std::string(r->str, r->len);
  }
  // Polls (generous deadline) until `name` has a stored record; returns it.
  std::string WaitStored(const std::string& name) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = Command(c_.get(), {"EXISTS", name});
      if (r && r->integer == 1) return Get(name);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "<never stored>";
  }
  std::string InfoField(const std::string& field) {
    auto r = Command(c_.get(), {"INFO", "whois"});
    if (!r || r->type != REDIS_REPLY_STRING) return "";
    std::string info(r->str, r->len);
    size_t at = info.find(field + ":");
    if (at == std::string::npos) return "";
    at += field.size() + 1;
    return info.substr(at, info.find_first_of("\r\n", at) - at);
  }

  std::unique_ptr<FakeWhoisProcess> iana_, registry_, registrar_;
  std::unique_ptr<ProxyProcess> proxy_;
  ProxyProcess::Redis c_;
};

TEST_F(PartialAnswerTest, SlowRegistrarGivesTheRegistryDataMarkedPartial) {
  Start(0, 3000, 800);
  const int before = std::stoi(InfoField("lookup_partial_answers"));  // the warm-up's
  std::string first = Get("slowregistrar.test");
  // The registry's data, marked partial, instead of an empty fallback.
  EXPECT_TRUE(Has(first, R"("status":"registered","partial":true)")) << first;
  EXPECT_TRUE(Has(first, R"("name":"Registry Side Registrar")")) << first;
  EXPECT_TRUE(Has(first, R"("created":"2001-02-03T04:05:06Z")")) << first;
  EXPECT_TRUE(Has(first, R"("nameservers":["ns1.example.net","ns2.example.net"])")) << first;
  EXPECT_FALSE(Has(first, "fallback")) << first;
  EXPECT_FALSE(Has(first, "Owner Holding AG")) << first;
  EXPECT_EQ(std::stoi(InfoField("lookup_partial_answers")), before + 1);
  // The lookup went on: the stored record is complete, and no longer partial.
  std::string stored = WaitStored("slowregistrar.test");
  EXPECT_TRUE(Has(stored, R"("status":"registered")")) << stored;
  EXPECT_FALSE(Has(stored, "partial")) << stored;
  EXPECT_TRUE(Has(stored, "Registrar Side GmbH")) << stored;
  EXPECT_TRUE(Has(stored, "Owner Holding AG")) << stored;
  EXPECT_EQ(registrar_->ReadLog().size(), 2u);  // warm-up and this lookup: no second query
}

TEST_F(PartialAnswerTest, NoRegistryAnswerYetGivesTheTimeoutFallback) {
  Start(0, 0, 800);  // the warm-up runs at full speed
  ASSERT_EQ(registry_->Control("latency-ms 3000").rfind("OK", 0), 0u);
  std::string first = Get("slowregistry.test");
  EXPECT_TRUE(Has(first, R"("status":"fallback","reason":"timeout")")) << first;
  EXPECT_FALSE(Has(first, "partial")) << first;
  EXPECT_EQ(InfoField("lookup_partial_answers"), "0");
}

TEST_F(PartialAnswerTest, AQuickChainIsNotPartial) {
  Start(0, 0, 2000);
  std::string json = Get("quick.test");
  EXPECT_TRUE(Has(json, R"("status":"registered")")) << json;
  EXPECT_FALSE(Has(json, "partial")) << json;
  EXPECT_TRUE(Has(json, "Registrar Side GmbH")) << json;
}

}  // namespace
