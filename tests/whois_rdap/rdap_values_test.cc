#include "whois/rdap/rdap_values.h"

#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <string>

#include "whois/rdap/retry_after.h"

namespace whois::rdap {
namespace {

// A text and what a mapping makes of it; nullptr where it maps to nothing.
struct Mapping {
  const char* input;
  const char* expected;
};

template <typename Map>
void ExpectMappings(Map map, std::span<const Mapping> cases) {
  for (const Mapping& c : cases) {
    SCOPED_TRACE(std::string("input '") + c.input + "'");
    if (c.expected == nullptr) {
      EXPECT_EQ(map(c.input), std::nullopt);
    } else {
      EXPECT_EQ(map(c.input), c.expected);
    }
  }
}

TEST(RdapValuesTest, StatusFollowsRfc8056) {
  const Mapping cases[] = {
      {"active", "ok"},
      {"inactive", "inactive"},
      {"client transfer prohibited", "clientTransferProhibited"},
      {"Server Update Prohibited", "serverUpdateProhibited"},
      {"client hold", "clientHold"},
      {"pending delete", "pendingDelete"},
      {"redemption period", "redemptionPeriod"},
      {"auto renew period", "autoRenewPeriod"},
      {"associated", "linked"},
      {"clientTransferProhibited", "clientTransferProhibited"},
      {" locked ", "locked"},  // no EPP counterpart: one word
      {"Locked", "locked"},
      {"", nullptr},
  };
  ExpectMappings(RdapStatusToEpp, cases);
}

// Statuses outside RFC 8056 are converted like the mapped ones (issue 18: "server recover
// prohibited" was passed through as words next to converted codes).
TEST(RdapValuesTest, StatusesOutsideRfc8056BecomeCamelCase) {
  const Mapping cases[] = {
      {"server recover prohibited", "serverRecoverProhibited"},
      {"Server Recover Prohibited", "serverRecoverProhibited"},
      {"transfer prohibited", "transferProhibited"},
      {"client_recover_prohibited", "clientRecoverProhibited"},
      {"  pending   renew  ", "pendingRenew"},  // mapped, any spacing
      {"serverRecoverProhibited", "serverRecoverProhibited"},
  };
  ExpectMappings(RdapStatusToEpp, cases);
}

TEST(RdapValuesTest, DatesBecomeUtc) {
  const Mapping cases[] = {
      {"2024-01-31T12:00:00Z", "2024-01-31T12:00:00Z"},
      {"2024-01-31T12:00:00.123Z", "2024-01-31T12:00:00Z"},
      {"2024-01-31T14:00:00+02:00", "2024-01-31T12:00:00Z"},
      {"2024-12-31T22:00:00-04:00", "2025-01-01T02:00:00Z"},
      {"2024-01-31T12:00:00", "2024-01-31T12:00:00Z"},
      {"2024-02-29", "2024-02-29T00:00:00Z"},
  };
  ExpectMappings(NormalizeRdapDate, cases);
  for (const char* bad : {"", "2023-02-29", "2024-13-01T00:00:00Z", "2024-01-31T25:00:00Z",
                          "yesterday", "2024-01-31T12:00:00Zjunk", "2024-01-31T12:00"}) {
    EXPECT_EQ(NormalizeRdapDate(bad), std::nullopt) << bad;
  }
}

TEST(RdapValuesTest, RedactedNamesToPaths) {
  const Mapping cases[] = {
      {"Registrant Name", "registrant.name"},
      {"Registrant Organization", "registrant.organization"},
      {"Registrant State/Province", "registrant.state"},
      {"Registrant Postal Code", "registrant.postal_code"},
      {"Registrant Phone Ext", "registrant.phone"},
      {"Tech Email", "tech.email"},
      {"Technical Email", "tech.email"},
      {"Administrative Street", "admin.street"},
      {"Admin Country", "admin.country"},
      {"Registry Registrant ID", nullptr},
      {"Registrant Fax", nullptr},
      {"Billing Name", nullptr},
  };
  ExpectMappings(RedactedNameToPath, cases);
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
