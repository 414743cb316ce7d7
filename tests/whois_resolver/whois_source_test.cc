// The WHOIS source in process: the referral chain from the registry to the registrar, its stops
// (not found, a loop, the hop cap), and the progress report a partial answer is built from;
// over a fake transport (in_process_fixture.h), no network.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "in_process_fixture.h"

namespace whois_resolver_test {
namespace {

constexpr const char* kRegistryReply =
    "Domain Name: EXAMPLE.TEST\n"
    "Registrar WHOIS Server: whois.registrar.test\n"
    "Registrar: Example Registrar\n"
    "Creation Date: 2020-01-01T00:00:00Z\n";

constexpr const char* kRegistrarReply =
    "Domain Name: EXAMPLE.TEST\n"
    "Registrar: Example Registrar\n"
    "Registrant Organization: Example Org\n";

TEST(WhoisSourceTest, FollowsTheReferralFromRegistryToRegistrar) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRegistryReply);
  r.whois.Reply("whois.registrar.test", kRegistrarReply);
  std::vector<size_t> progress;
  r.resolver().SetProgressHandler(
      [&](const std::string& domain, const whois::LookupResult& so_far) {
        EXPECT_EQ(domain, "example.test");
        progress.push_back(so_far.chain.size());
      });
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(got.protocol, "whois");
  EXPECT_EQ(r.whois.sent(), (std::vector<std::string>{"whois.nic.test example.test",
                                                      "whois.registrar.test example.test"}));
  ASSERT_EQ(got.chain.size(), 2u);
  EXPECT_EQ(got.chain[0].server, "whois.nic.test");
  EXPECT_EQ(got.chain[0].text, kRegistryReply);
  EXPECT_EQ(got.chain[1].server, "whois.registrar.test");
  EXPECT_EQ(got.chain[1].text, kRegistrarReply);
  EXPECT_EQ(got.chain[1].fetched_at_ms, kT0);
  // Reported once, when the registry had answered and the registrar was about to be asked.
  EXPECT_EQ(progress, std::vector<size_t>{1});
}

TEST(WhoisSourceTest, AFailingRegistrarKeepsTheRegistrysRecord) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", kRegistryReply);
  r.whois.Fail("whois.registrar.test", whois::UpstreamFailure::kRefused);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  ASSERT_EQ(got.chain.size(), 2u);
  EXPECT_EQ(got.chain[1].failure, "refused");
}

TEST(WhoisSourceTest, AReferralBackToAHostAlreadyAskedEndsTheChain) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test",
                "Domain Name: EXAMPLE.TEST\nRegistrar WHOIS Server: whois.nic.test\n"
                "Registrar: Example Registrar\n");
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ(r.whois.sent().size(), 1u);
}

TEST(WhoisSourceTest, ARegistryFailureFailsTheLookupWithItsReason) {
  InProcessResolver r("whois-only");
  r.whois.Fail("whois.nic.test", whois::UpstreamFailure::kTimedOut);
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ(got.fallback_reason, whois::FallbackReason::kTimeout);
  ASSERT_EQ(got.chain.size(), 1u);
  EXPECT_EQ(got.chain[0].failure, "timed_out");
}

TEST(WhoisSourceTest, ARefusalInTheTextIsARefusedFallback) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.nic.test", "%% Too many requests, wait 7 seconds\n");
  whois::LookupResult got = r.Lookup("example.test");
  EXPECT_EQ(got.outcome, whois::LookupOutcome::kFailed);
  EXPECT_EQ(got.fallback_reason, whois::FallbackReason::kRefused);
  EXPECT_EQ(got.retry_after_s, 7);
}

TEST(WhoisSourceTest, LearnsAnUnknownTldFromIanaOnceAndSavesIt) {
  InProcessResolver r("whois-only");
  r.whois.Reply("whois.iana.org", "domain: OTHER\nwhois: whois.nic.other\n");
  r.whois.Reply("whois.nic.other", kRegistrarReply);
  auto a = std::make_shared<std::optional<whois::LookupResult>>();
  auto b = std::make_shared<std::optional<whois::LookupResult>>();
  r.resolver().Lookup("a.other", "other", r.now_ms + 5000,
                      [a](whois::LookupResult got) { *a = std::move(got); });
  r.resolver().Lookup("b.other", "other", r.now_ms + 5000,
                      [b](whois::LookupResult got) { *b = std::move(got); });
  ASSERT_TRUE(r.loop.RunUntil([&] { return a->has_value() && b->has_value(); }));
  EXPECT_EQ((*a)->outcome, whois::LookupOutcome::kFound);
  EXPECT_EQ((*b)->outcome, whois::LookupOutcome::kFound);
  // Two lookups, one IANA query.
  EXPECT_EQ(r.whois_source().iana_queries(), 1u);
  const whois::ServerEntry* learned = r.whois_source().directory().Find("other");
  ASSERT_NE(learned, nullptr);
  EXPECT_EQ(learned->host, "whois.nic.other");
  EXPECT_EQ(learned->origin, whois::ServerEntry::Origin::kIana);
}

}  // namespace
}  // namespace whois_resolver_test
