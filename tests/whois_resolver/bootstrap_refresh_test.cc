// The RDAP bootstrap refresh in process: a fetched registry replaces the source's, keeps the
// operator's overrides and is handed to the store; a failed fetch changes nothing. Over a fake
// HTTP transport (in_process_fixture.h), no network.
#include "whois/resolver/bootstrap_refresh.h"

#include <gtest/gtest.h>

#include <string>

#include "in_process_fixture.h"

namespace whois_resolver_test {
namespace {

constexpr const char* kUrl = "http://iana.test/rdap/dns.json";
constexpr const char* kRegistry =
    R"({"version":"1.0","publication":"2030-01-01T00:00:00Z","services":[)"
    R"([["example"],["https://rdap.example.test/"]]]})";

TEST(BootstrapRefreshTest, AFetchedRegistryReplacesTheSourcesAndKeepsOverrides) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kUrl, 200, kRegistry);
  std::vector<std::string> stored;
  whois::BootstrapRefresh refresh(
      r.loop.get(), &r.gate(), &r.http, &r.rdap_source(), kUrl, [&] { return r.now_ms; },
      [&](std::string encoded) { stored.push_back(std::move(encoded)); });
  bool done = false;
  refresh.Run([&] { done = true; });
  ASSERT_TRUE(r.loop.RunUntil([&] { return done; }));
  ASSERT_EQ(stored.size(), 1u);
  // The fetched entry is served, and so is the operator's override for .test.
  EXPECT_EQ(r.rdap_source().FirstHost("a.example", "example"), "rdap.example.test");
  EXPECT_EQ(r.rdap_source().FirstHost("a.test", "test"), "rdap.nic.test");
  // What was stored decodes to the fetched registry.
  auto decoded = whois::rdap::RdapBootstrap::Decode(stored[0]);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->BaseUrl("a.example").has_value());
}

TEST(BootstrapRefreshTest, AFailedFetchChangesNothing) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kUrl, 500, "");
  int stored = 0;
  whois::BootstrapRefresh refresh(
      r.loop.get(), &r.gate(), &r.http, &r.rdap_source(), kUrl, [&] { return r.now_ms; },
      [&](std::string) { ++stored; });
  bool done = false;
  refresh.Run([&] { done = true; });
  ASSERT_TRUE(r.loop.RunUntil([&] { return done; }));
  EXPECT_EQ(stored, 0);
  EXPECT_EQ(r.rdap_source().FirstHost("a.test", "test"), "rdap.nic.test");
  EXPECT_EQ(r.rdap_source().FirstHost("a.example", "example"), "");
}

}  // namespace
}  // namespace whois_resolver_test
