// The Resolver in process: the sources `lookup-order` names, in order, the next one asked only
// when the one before failed; over fake transports (in_process_fixture.h), no network.
#include <gtest/gtest.h>

#include <string>

#include "in_process_fixture.h"

namespace whois_resolver_test {
namespace {

constexpr const char* kWhoisRecord =
    "Domain Name: EXAMPLE.TEST\n"
    "Registrar: Example Registrar\n"
    "Creation Date: 2020-01-01T00:00:00Z\n";

constexpr const char* kRdapRecord =
    R"({"objectClassName":"domain","ldhName":"example.test","status":["active"],)"
    R"("events":[{"eventAction":"registration","eventDate":"2020-01-01T00:00:00Z"}]})";

const std::string kRdapUrl = std::string(InProcessResolver::kRdapBase) + "domain/example.test";

TEST(ResolverOrderTest, RdapFirstAsksRdapAndNotWhoisWhenRdapAnswers) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kRdapUrl, 200, kRdapRecord);
  r.whois.Reply(InProcessResolver::kWhoisHost, kWhoisRecord);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(got.protocol, "rdap");
  ASSERT_TRUE(got.record.has_value());
  EXPECT_EQ(r.http.fetched(), std::vector<std::string>{kRdapUrl});
  EXPECT_TRUE(r.whois.sent().empty());
}

TEST(ResolverOrderTest, RdapFailureFallsBackToWhoisKeepingBothChains) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kRdapUrl, 503, "busy");
  r.whois.Reply(InProcessResolver::kWhoisHost, kWhoisRecord);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(got.protocol, "whois");
  // RDAP then WHOIS, and the record's chain shows both.
  EXPECT_EQ(r.http.fetched(), std::vector<std::string>{kRdapUrl});
  EXPECT_EQ(r.whois.sent(), std::vector<std::string>{"whois.nic.test example.test"});
  ASSERT_EQ(got.chain.size(), 2u);
  EXPECT_EQ(got.chain[0].failure, "http_503");
  EXPECT_EQ(got.chain[1].server, "whois.nic.test");
  EXPECT_EQ(got.chain[1].failure, "");
}

TEST(ResolverOrderTest, NotFoundIsAnAnswerNotAFailure) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kRdapUrl, 404, "{}");
  r.whois.Reply(InProcessResolver::kWhoisHost, kWhoisRecord);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kNotFound);
  EXPECT_TRUE(r.whois.sent().empty());
}

TEST(ResolverOrderTest, WhoisFirstFallsBackToRdap) {
  InProcessResolver r("whois-first");
  r.whois.Fail(InProcessResolver::kWhoisHost, whois::UpstreamFailure::kTimedOut);
  r.http.Reply(kRdapUrl, 200, kRdapRecord);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(got.protocol, "rdap");
  ASSERT_EQ(got.chain.size(), 2u);
  EXPECT_EQ(got.chain[0].failure, "timed_out");
}

TEST(ResolverOrderTest, WhenEverySourceFailsTheLastOnesReasonStands) {
  InProcessResolver r("rdap-first");
  r.http.Reply(kRdapUrl, 429, "");
  r.whois.Fail(InProcessResolver::kWhoisHost, whois::UpstreamFailure::kTimedOut);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  // The last source's reason is the record's.
  EXPECT_EQ(got.fallback_reason, whois::FallbackReason::kTimeout);
  EXPECT_EQ(got.chain.size(), 2u);
}

TEST(ResolverOrderTest, OnlyOrdersDoNotFallBack) {
  InProcessResolver r("rdap-only");
  r.http.Reply(kRdapUrl, 503, "busy");
  r.whois.Reply(InProcessResolver::kWhoisHost, kWhoisRecord);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  EXPECT_TRUE(r.whois.sent().empty());

  InProcessResolver w("whois-only");
  w.http.Reply(kRdapUrl, 200, kRdapRecord);
  w.whois.Reply(InProcessResolver::kWhoisHost, kWhoisRecord);
  EXPECT_EQ(w.Lookup("example.test").protocol, "whois");
  EXPECT_TRUE(w.http.fetched().empty());
}

TEST(ResolverOrderTest, ADomainNoListedSourceServesGoesToWhois) {
  // rdap-only, but the bootstrap names no RDAP server for .other: WHOIS answers, whatever the
  // order (the TLD's server is learned from IANA first).
  InProcessResolver r("rdap-only");
  r.whois.Reply("whois.iana.org", "domain: OTHER\nwhois: whois.nic.other\n");
  r.whois.Reply("whois.nic.other", kWhoisRecord);
  auto slot = std::make_shared<std::optional<whois::LookupResult>>();
  r.resolver().Lookup("example.other", "other", r.now_ms + 5000,
                      [slot](whois::LookupResult got) { *slot = std::move(got); });
  ASSERT_TRUE(r.loop.RunUntil([&] { return slot->has_value(); }));
  EXPECT_EQ((*slot)->protocol, "whois");
  EXPECT_EQ((*slot)->outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(r.whois.sent(),
            (std::vector<std::string>{"whois.iana.org other", "whois.nic.other example.other"}));
  EXPECT_TRUE(r.http.fetched().empty());
}

TEST(ResolverOrderTest, FirstHostFollowsTheOrder) {
  InProcessResolver rdap("rdap-first");
  EXPECT_EQ(rdap.resolver().FirstHost("example.test", "test"), "rdap.nic.test");
  InProcessResolver whois("whois-first");
  EXPECT_EQ(whois.resolver().FirstHost("example.test", "test"), "whois.nic.test");
  // No RDAP server and no directory entry: the IANA server is asked first.
  EXPECT_EQ(rdap.resolver().FirstHost("example.other", "other"), "whois.iana.org");
}

}  // namespace
}  // namespace whois_resolver_test
