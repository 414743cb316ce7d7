// The record assembly in-process: a finished chain's typed fallback reason and failed hops
// become the record's `status` / `reason` strings.
#include "whois/resolver/record_assembly.h"

#include <gtest/gtest.h>

#include <string>

namespace whois {
namespace {

// The record AssembleRecord makes of `result` for example.de, at time 0.
WhoisRecord Assemble(const LookupResult& result) {
  const DomainName name{.domain = "example.de", .tld = "de", .host = "example.de"};
  return AssembleRecord(name, result, 0, CountryTable::Builtin());
}

ChainHop Hop(std::string text, HopFailure failure = {}) {
  ChainHop hop;
  hop.server = "whois.denic.de";
  hop.query = "-T dn,ace example.de";
  hop.text = std::move(text);
  hop.failure = std::move(failure);
  return hop;
}

TEST(RecordAssembly, AFailedLookupIsAFallbackNamedByItsReason) {
  LookupResult r;
  r.outcome = LookupOutcome::kFailed;
  r.fallback_reason = FallbackReason::kDailyLimit;
  r.retry_after_s = 30;
  r.chain.push_back(Hop("", HopFailure::Limited(FallbackReason::kDailyLimit)));
  WhoisRecord rec = Assemble(r);
  EXPECT_EQ(rec.status, "fallback");
  EXPECT_EQ(rec.reason, "daily_limit");
  EXPECT_EQ(rec.retry_after, 30);
  EXPECT_EQ(rec.source_servers, std::vector<std::string>{"whois.denic.de"});
}

// A hop that failed is not parsed, even if it holds text (a refusal): a found lookup whose only
// reply failed has no registration data, so it becomes a "refused" fallback.
TEST(RecordAssembly, FailedHopsAreNotParsed) {
  const std::string reply = "Domain: example.de\nStatus: connect\nNserver: ns1.example.de\n";
  LookupResult used;
  used.outcome = LookupOutcome::kFound;
  used.chain.push_back(Hop(reply));
  EXPECT_EQ(Assemble(used).status, "registered");

  LookupResult refused = used;
  refused.chain[0].failure = HopFailure::Of(HopFailureKind::kRefusedByServer);
  WhoisRecord rec = Assemble(refused);
  EXPECT_EQ(rec.status, "fallback");
  EXPECT_EQ(rec.reason, FallbackReasonName(FallbackReason::kRefused));
}

}  // namespace
}  // namespace whois
