#include "whois/rdap/rdap_values.h"

#include <gtest/gtest.h>

#include "whois/rdap/retry_after.h"

namespace whois::rdap {
namespace {

TEST(RdapValuesTest, StatusFollowsRfc8056) {
  EXPECT_EQ(RdapStatusToEpp("active"), "ok");
  EXPECT_EQ(RdapStatusToEpp("inactive"), "inactive");
  EXPECT_EQ(RdapStatusToEpp("client transfer prohibited"), "clientTransferProhibited");
  EXPECT_EQ(RdapStatusToEpp("Server Update Prohibited"), "serverUpdateProhibited");
  EXPECT_EQ(RdapStatusToEpp("client hold"), "clientHold");
  EXPECT_EQ(RdapStatusToEpp("pending delete"), "pendingDelete");
  EXPECT_EQ(RdapStatusToEpp("redemption period"), "redemptionPeriod");
  EXPECT_EQ(RdapStatusToEpp("auto renew period"), "autoRenewPeriod");
  EXPECT_EQ(RdapStatusToEpp("associated"), "linked");
  EXPECT_EQ(RdapStatusToEpp("clientTransferProhibited"), "clientTransferProhibited");
  EXPECT_EQ(RdapStatusToEpp(" locked "), "locked");  // no EPP counterpart: one word
  EXPECT_EQ(RdapStatusToEpp("Locked"), "locked");
  EXPECT_EQ(RdapStatusToEpp(""), std::nullopt);
}

// Statuses outside RFC 8056 are converted like the mapped ones (issue 18: "server recover
// prohibited" was passed through as words next to converted codes).
TEST(RdapValuesTest, StatusesOutsideRfc8056BecomeCamelCase) {
  EXPECT_EQ(RdapStatusToEpp("server recover prohibited"), "serverRecoverProhibited");
  EXPECT_EQ(RdapStatusToEpp("Server Recover Prohibited"), "serverRecoverProhibited");
  EXPECT_EQ(RdapStatusToEpp("transfer prohibited"), "transferProhibited");
  EXPECT_EQ(RdapStatusToEpp("client_recover_prohibited"), "clientRecoverProhibited");
  EXPECT_EQ(RdapStatusToEpp("  pending   renew  "), "pendingRenew");  // mapped, any spacing
  EXPECT_EQ(RdapStatusToEpp("serverRecoverProhibited"), "serverRecoverProhibited");
}

TEST(RdapValuesTest, DatesBecomeUtc) {
  EXPECT_EQ(NormalizeRdapDate("2024-01-31T12:00:00Z"), "2024-01-31T12:00:00Z");
  EXPECT_EQ(NormalizeRdapDate("2024-01-31T12:00:00.123Z"), "2024-01-31T12:00:00Z");
  EXPECT_EQ(NormalizeRdapDate("2024-01-31T14:00:00+02:00"), "2024-01-31T12:00:00Z");
  EXPECT_EQ(NormalizeRdapDate("2024-12-31T22:00:00-04:00"), "2025-01-01T02:00:00Z");
  EXPECT_EQ(NormalizeRdapDate("2024-01-31T12:00:00"), "2024-01-31T12:00:00Z");
  EXPECT_EQ(NormalizeRdapDate("2024-02-29"), "2024-02-29T00:00:00Z");
  for (const char* bad : {"", "2023-02-29", "2024-13-01T00:00:00Z", "2024-01-31T25:00:00Z",
                          "yesterday", "2024-01-31T12:00:00Zjunk", "2024-01-31T12:00"}) {
    EXPECT_EQ(NormalizeRdapDate(bad), std::nullopt) << bad;
  }
}

TEST(RdapValuesTest, RedactedNamesToPaths) {
  EXPECT_EQ(RedactedNameToPath("Registrant Name"), "registrant.name");
  EXPECT_EQ(RedactedNameToPath("Registrant Organization"), "registrant.organization");
  EXPECT_EQ(RedactedNameToPath("Registrant State/Province"), "registrant.state");
  EXPECT_EQ(RedactedNameToPath("Registrant Postal Code"), "registrant.postal_code");
  EXPECT_EQ(RedactedNameToPath("Registrant Phone Ext"), "registrant.phone");
  EXPECT_EQ(RedactedNameToPath("Tech Email"), "tech.email");
  EXPECT_EQ(RedactedNameToPath("Technical Email"), "tech.email");
  EXPECT_EQ(RedactedNameToPath("Administrative Street"), "admin.street");
  EXPECT_EQ(RedactedNameToPath("Admin Country"), "admin.country");
  EXPECT_EQ(RedactedNameToPath("Registry Registrant ID"), std::nullopt);
  EXPECT_EQ(RedactedNameToPath("Registrant Fax"), std::nullopt);
  EXPECT_EQ(RedactedNameToPath("Billing Name"), std::nullopt);
}

TEST(RetryAfterTest, DeltaAndDates) {
  EXPECT_EQ(ParseRetryAfter("120", 0), 120);
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), 0);
  EXPECT_EQ(ParseRetryAfter("99999999", 0), kMaxRetryAfterSeconds);
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(ParseHttpDate("Wednesday, 21-Oct-15 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(ParseHttpDate("Wed Oct 21 07:28:00 2015"), 1445412480);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30), 30);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30), 0);
  EXPECT_EQ(ParseRetryAfter("", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 32 Foo 2015 07:28:00 GMT", 0), std::nullopt);
}

}  // namespace
}  // namespace whois::rdap
