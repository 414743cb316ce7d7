// A hop's failure is structured (kind and detail) but renders to the texts logs and tests have
// always matched on; each kind has one name.
#include "whois/resolver/hop_failure.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace whois {
namespace {

TEST(HopFailure, RendersTheTextsOfBefore) {
  EXPECT_EQ(HopFailure{}.ToString(), "");
  EXPECT_FALSE(HopFailure{}.failed());
  EXPECT_EQ(HopFailure::Limited(FallbackReason::kRateLimited).ToString(), "limited:rate_limited");
  EXPECT_EQ(HopFailure::Upstream(UpstreamFailure::kTimedOut).ToString(), "timed_out");
  EXPECT_EQ(HopFailure::Http(rdap::HttpFailure::kTimeout).ToString(), "timeout");
  EXPECT_EQ(HopFailure::HttpStatus(503).ToString(), "http_503");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kRefusedByServer).ToString(), "refused_by_server");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kUnrecognisedReply).ToString(), "unrecognised_reply");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kInvalidQuery).ToString(), "invalid_query");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kInvalidUrl).ToString(), "invalid_url");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kCancelled).ToString(), "cancelled");
  EXPECT_EQ(HopFailure::Of(HopFailureKind::kUnusable).ToString(), "unusable");
  EXPECT_TRUE(HopFailure::HttpStatus(503).failed());
}

TEST(HopFailure, EveryKindHasItsOwnName) {
  std::set<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(HopFailureKind::kUnusable); ++k)
    names.insert(HopFailureKindName(static_cast<HopFailureKind>(k)));
  EXPECT_EQ(names.size(), static_cast<size_t>(HopFailureKind::kUnusable) + 1);
}

}  // namespace
}  // namespace whois
