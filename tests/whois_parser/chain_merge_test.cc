#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "whois/parser/reply_parser.h"

namespace whois {
namespace {

using ::testing::ElementsAre;

const char* kRegistryThin =
    "Domain Name: EXAMPLE.COM\n"
    "Registrar: EXAMPLE REGISTRAR, INC.\n"
    "Registrar WHOIS Server: whois.registrar.example\n"
    "Updated Date: 2023-01-01T00:00:00Z\n"
    "Creation Date: 1995-08-14T04:00:00Z\n"
    "Registry Expiry Date: 2030-08-13T04:00:00Z\n"
    "Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\n"
    "Name Server: NS1.EXAMPLE.COM\n"
    "Name Server: NS2.EXAMPLE.COM\n";

const char* kRegistrarThick =
    "Domain Name: example.com\n"
    "Registrar: Example Registrar, Inc.\n"
    "Updated Date: 2024-02-02T10:00:00+01:00\n"
    "Registrant Name: REDACTED FOR PRIVACY\n"
    "Registrant Organization: Example Holdings GmbH\n"
    "Registrant Country: Germany\n"
    "Registrant Email: Please query the RDDS service of the Registrar of Record\n"
    "Admin Email: Please query the RDDS service of the Registrar of Record\n"
    "Name Server: ns1.example.com\n"
    "Name Server: ns2.example.com\n"
    "Name Server: ns3.example.com\n";

TEST(BuildRecord, LaterReplyWinsWhereItHasAValue) {
  WhoisRecord r =
      BuildRecord("example.com", {{"whois.verisign-grs.com", "example.com", kRegistryThin},
                                  {"whois.registrar.example", "example.com", kRegistrarThick}});
  EXPECT_EQ(r.status, kStatusRegistered);
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_EQ(r.registrar.name, "Example Registrar, Inc.");
  EXPECT_EQ(r.registrar.whois_server, "whois.registrar.example");  // only the registry has it
  EXPECT_EQ(r.created, "1995-08-14T04:00:00Z");
  EXPECT_EQ(r.updated, "2024-02-02T09:00:00Z");
  EXPECT_EQ(r.expires, "2030-08-13T04:00:00Z");
  EXPECT_THAT(r.nameservers, ElementsAre("ns1.example.com", "ns2.example.com", "ns3.example.com"));
  EXPECT_THAT(r.domain_status, ElementsAre("clientTransferProhibited"));
  EXPECT_EQ(r.registrant.organization, "Example Holdings GmbH");
  EXPECT_EQ(r.registrant.country, "DE");
  EXPECT_EQ(r.country, "DE");
  EXPECT_EQ(r.country_source, kCountryFromRegistrant);
  EXPECT_THAT(r.redacted, ElementsAre("registrant.name", "registrant.email", "admin.email"));
  EXPECT_THAT(r.source_servers, ElementsAre("whois.verisign-grs.com", "whois.registrar.example"));
}

TEST(BuildRecord, RedactedPathDroppedWhenAnotherReplyGivesTheValue) {
  WhoisRecord r = BuildRecord("example.com",
                              {{"a", "", "Domain Name: example.com\nRegistrant Name: Jane Doe\n"},
                               {"b", "", "Domain Name: example.com\nRegistrant Name: REDACTED\n"}});
  EXPECT_EQ(r.registrant.name, "Jane Doe");
  EXPECT_TRUE(r.redacted.empty());
}

TEST(BuildRecord, RegistryNotFound) {
  WhoisRecord r = BuildRecord(
      "nope.com", {{"whois.verisign-grs.com", "nope.com", "No match for \"NOPE.COM\".\n"}});
  EXPECT_EQ(r.status, kStatusNotFound);
  EXPECT_EQ(r.domain, "nope.com");
}

TEST(BuildRecord, RegistryRefusedIsFallbackWithRetry) {
  WhoisRecord r = BuildRecord(
      "example.uk", {{"whois.nic.uk", "example.uk",
                      "Error for \"example.uk\".\nThe WHOIS query quota for 127.0.0.1 has been "
                      "exceeded\nand will be replenished in 50 seconds.\n"}});
  EXPECT_EQ(r.status, kStatusFallback);
  EXPECT_EQ(r.reason, FallbackReasonName(FallbackReason::kRefused));
  EXPECT_EQ(r.retry_after, 50);
}

TEST(BuildRecord, RegistrarRefusalKeepsRegistryData) {
  WhoisRecord r = BuildRecord("example.com",
                              {{"whois.verisign-grs.com", "", kRegistryThin},
                               {"whois.godaddy.com", "", "Number of allowed queries exceeded.\n"}});
  EXPECT_EQ(r.status, kStatusRegistered);
  EXPECT_EQ(r.registrar.name, "EXAMPLE REGISTRAR, INC.");
}

TEST(BuildRecord, EmptyChain) {
  WhoisRecord r = BuildRecord("example.com", {});
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_TRUE(r.status.empty());
}

}  // namespace
}  // namespace whois
