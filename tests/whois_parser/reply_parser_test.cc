// One test (or a few) per rule set over real replies, plus the value clean-ups every rule set
// shares: redaction placeholders, EPP status codes, name servers.
#include "whois/reply_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/whois_parser/fixture_files.h"
#include "whois/parser_rules/rule_set.h"
#include "whois/reply_fields.h"

namespace whois {
namespace {

using ::testing::ElementsAre;

ParsedReply ParseFixture(const std::string& server, const std::string& relative) {
  std::string text = testing::ReadFixture(relative);
  EXPECT_FALSE(text.empty()) << relative;
  return ParseReply(server, text);
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(IcannRules, VerisignThinReply) {
  ParsedReply p = ParseFixture("whois.verisign-grs.com",
                               "weppos/responses/whois.verisign-grs.com/com/status_registered.txt");
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(p.rule_set, "icann");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(r.domain, "google.com");
  EXPECT_EQ(r.registrar.name, "MarkMonitor Inc.");
  EXPECT_EQ(r.registrar.whois_server, "whois.markmonitor.com");
  EXPECT_EQ(r.created, "1997-09-15T04:00:00Z");
  EXPECT_EQ(r.expires, "2020-09-14T04:00:00Z");
  EXPECT_THAT(r.nameservers,
              ElementsAre("ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"));
  EXPECT_TRUE(Has(r.domain_status, "clientTransferProhibited"));
}

TEST(IcannRules, ModernRedactedReply) {
  ParsedReply p = ParseFixture("whois.nic.live", "python-whois/whois/nic.live");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(r.domain, "nic.live");
  EXPECT_EQ(r.registrar.iana_id, "9999");
  EXPECT_EQ(r.expires, "2025-04-27T22:04:24Z");
  EXPECT_EQ(r.dnssec, "unsigned");
  EXPECT_EQ(r.registrant.organization, "United TLD Holdco Ltd.");
  EXPECT_EQ(r.registrant.country, "IE");
  EXPECT_TRUE(r.registrant.name.empty());
  EXPECT_TRUE(r.registrant.email.empty());
  EXPECT_TRUE(Has(r.redacted, "registrant.name"));
  EXPECT_TRUE(Has(r.redacted, "registrant.email"));
  EXPECT_TRUE(Has(r.redacted, "tech.email"));
  EXPECT_FALSE(Has(r.redacted, "registrant.organization"));
  // "serverTransferProhibited https://icann.org/epp#serverTransferProhibited"
  EXPECT_TRUE(Has(r.domain_status, "serverTransferProhibited"));
  for (const std::string& s : r.domain_status) EXPECT_EQ(s.find("http"), std::string::npos) << s;
}

TEST(RipeRules, AfnicContactsByHandle) {
  ParsedReply p =
      ParseFixture("whois.nic.fr", "weppos/responses/whois.nic.fr/fr/status_registered.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "ripe");
  EXPECT_EQ(r.domain, "google.fr");
  EXPECT_EQ(r.created, "2000-07-27T00:00:00Z");  // "27/07/2000": AFNIC is day-first
  EXPECT_EQ(r.expires, "2017-12-30T00:00:00Z");
  EXPECT_EQ(r.registrar.name, "MARKMONITOR Inc.");
  // holder-c GIH6-FRNIC is an ORGANIZATION object; the registrar object's "country: US" must
  // not leak into the registrant.
  EXPECT_EQ(r.registrant.organization, "Google Ireland Holdings");
  EXPECT_EQ(r.registrant.country, "IE");
  EXPECT_EQ(r.tech.name, "Ccops Provisioning");
  EXPECT_EQ(r.nameservers.size(), 4u);
}

TEST(RipeRules, ChosenFromTextWhenHostUnknown) {
  std::string text = "domain: example.xx\nholder-c: H1\n\nnic-hdl: H1\ncontact: Jane\n";
  EXPECT_EQ(rules::RuleSetFor("whois.example.net", text).name, "ripe");
  ParsedReply p = ParseReply("whois.example.net", text);
  EXPECT_EQ(p.fields.registrant.name, "Jane");
}

TEST(IndentedRules, NominetSections) {
  ParsedReply p =
      ParseFixture("whois.nic.uk", "weppos/responses/whois.nic.uk/uk/status_registered.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "indented");
  EXPECT_EQ(r.domain, "google.co.uk");
  EXPECT_EQ(r.registrar.name, "Markmonitor");  // "Markmonitor Inc. t/a Markmonitor [Tag = ...]"
  EXPECT_EQ(r.created, "1999-02-14T00:00:00Z");
  EXPECT_EQ(r.registrant.organization, "Google Inc.");
  EXPECT_EQ(r.registrant.country, "US");  // last line of "Registrant's address:"
  EXPECT_EQ(r.nameservers.size(), 4u);
}

TEST(IndentedRules, RegistroItSectionsWithoutColon) {
  ParsedReply p =
      ParseFixture("whois.nic.it", "weppos/responses/whois.nic.it/it/status_registered.txt");
  EXPECT_EQ(p.fields.registrant.organization, "Google Ireland Holdings");
  EXPECT_EQ(p.fields.admin.name, "Tsao Tu");
  EXPECT_EQ(p.fields.registrant.country, "IE");
}

TEST(BracketRules, Jprs) {
  ParsedReply p =
      ParseFixture("whois.jprs.jp", "weppos/responses/whois.jprs.jp/jp/status_registered.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "bracket");
  EXPECT_EQ(r.domain, "google.jp");
  EXPECT_EQ(r.created, "2005-05-30T00:00:00Z");
  EXPECT_EQ(r.updated, "2013-05-31T16:05:07Z");  // "2013/06/01 01:05:07 (JST)"
  EXPECT_EQ(r.nameservers.size(), 4u);
}

TEST(BracketRules, ListMarkers) {
  ParsedReply p = ParseReply("whois.jprs.jp",
                             "a. [Domain Name]   EXAMPLE.CO.JP\ng. [Organization]   Example KK\n"
                             "p. [Name Server]   ns1.example.jp\n[Created on]   2001/03/22\n");
  EXPECT_EQ(p.fields.domain, "example.co.jp");
  EXPECT_EQ(p.fields.registrant.organization, "Example KK");
  EXPECT_THAT(p.fields.nameservers, ElementsAre("ns1.example.jp"));
  EXPECT_EQ(p.fields.created, "2001-03-22T00:00:00Z");
}

TEST(ColumnRules, SkNic) {
  ParsedReply p =
      ParseFixture("whois.sk-nic.sk", "weppos/responses/whois.sk-nic.sk/sk/status_registered.txt");
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(p.fields.domain, "google.sk");
  EXPECT_EQ(p.fields.expires, "2011-07-23T00:00:00Z");
  EXPECT_EQ(p.fields.nameservers.size(), 4u);
  EXPECT_EQ(p.fields.admin.email, "mfajnorova@fabap.sk");
}

TEST(FreenomRules, MonthFirstDates) {
  ParsedReply p =
      ParseFixture("whois.dot.tk", "weppos/responses/whois.dot.tk/tk/status_registered.txt");
  EXPECT_EQ(p.rule_set, "freenom");
  EXPECT_EQ(p.fields.created, "2001-12-18T00:00:00Z");  // "12/18/2001"
  EXPECT_EQ(p.fields.expires, "2012-03-02T00:00:00Z");  // "03/02/2012" is 2 March
}

TEST(ReplyParser, NotFoundNamesTheDomain) {
  ParsedReply p = ParseReply("whois.verisign-grs.com", "No match for \"U34JEDZCQ.COM\".\n");
  EXPECT_EQ(p.kind, ReplyKind::kNotFound);
  EXPECT_EQ(p.fields.domain, "u34jedzcq.com");
}

TEST(ReplyParser, RefusalCarriesRetryAfter) {
  ParsedReply p = ParseReply("whois.eu", "-1: Still in grace period, wait 7 seconds\n");
  EXPECT_EQ(p.kind, ReplyKind::kRefused);
  EXPECT_EQ(p.retry_after, 7);
}

TEST(ReplyParser, StopsAtASecondRecord) {
  ParsedReply p = ParseReply("whois.verisign-grs.com",
                             "Domain Name: EXAMPLE.COM\nName Server: NS1.EXAMPLE.COM\n\n"
                             "Domain Name: EXAMPLE.COM.EVIL.NET\nName Server: NS.EVIL.NET\n");
  EXPECT_EQ(p.fields.domain, "example.com");
  EXPECT_THAT(p.fields.nameservers, ElementsAre("ns1.example.com"));
}

TEST(Redaction, PlaceholdersAreNeverPublished) {
  for (const char* placeholder :
       {"REDACTED FOR PRIVACY", "Data Protected", "Data Protected, Not Disclosed",
        "Please query the RDDS service of the Registrar of Record identified in this output for "
        "information on how to contact the Registrant",
        "Not Disclosed", "NOT DISCLOSED!", "Redacted | EU Data Subject", "GDPR Masked",
        "Statutory Masking Enabled", "Please ask the registrar", "Private Person",
        "Hidden upon user request", "Withheld for privacy"}) {
    std::string text = std::string("Domain Name: example.com\nRegistrant Name: ") + placeholder +
                       "\nRegistrant Organization: " + placeholder +
                       "\nRegistrant Email: " + placeholder + "\nRegistrant Country: DE\n";
    WhoisRecord r = ParseReply("whois.example.com", text).fields;
    EXPECT_TRUE(r.registrant.name.empty()) << placeholder;
    EXPECT_TRUE(r.registrant.organization.empty()) << placeholder;
    EXPECT_TRUE(r.registrant.email.empty()) << placeholder;
    EXPECT_TRUE(Has(r.redacted, "registrant.name")) << placeholder;
    EXPECT_TRUE(Has(r.redacted, "registrant.organization")) << placeholder;
    EXPECT_TRUE(Has(r.redacted, "registrant.email")) << placeholder;
    EXPECT_EQ(r.registrant.country, "DE");
  }
}

TEST(Redaction, RealNamesAreKept) {
  for (const char* name :
       {"Google LLC", "Domains By Proxy, LLC", "Contact Privacy Inc.", "Redmond Data Systems"}) {
    EXPECT_FALSE(IsRedactionPlaceholder(name)) << name;
  }
}

TEST(EppStatus, Normalised) {
  std::vector<std::string> s;
  AppendStatuses("clientTransferProhibited https://icann.org/epp#clientTransferProhibited", &s);
  AppendStatuses("CLIENT DELETE PROHIBITED", &s);
  AppendStatuses("server-hold", &s);
  AppendStatuses("ok (https://www.icann.org/epp#ok)", &s);
  AppendStatuses("clientUpdateProhibited, clientRenewProhibited", &s);
  AppendStatuses("ACTIVE", &s);                         // RDAP's "active", lower case
  AppendStatuses("Registered until expiry date.", &s);  // not a code: kept as written
  AppendStatuses("clientTransferProhibited", &s);       // repeat dropped
  EXPECT_THAT(s, ElementsAre("clientTransferProhibited", "clientDeleteProhibited", "serverHold",
                             "ok", "clientUpdateProhibited", "clientRenewProhibited", "active",
                             "Registered until expiry date."));
}

TEST(Nameservers, Normalised) {
  std::vector<std::string> ns;
  AppendNameservers("NS1.Example.COM. 192.0.2.1", &ns);
  AppendNameservers("ns2.example.com (192.0.2.2, 2001:db8::2)", &ns);
  AppendNameservers("ns3.example.com [2001:db8::3]", &ns);
  AppendNameservers("example.pt\tNS\tns4.example.com.", &ns);
  AppendNameservers("ns1.example.com", &ns);
  AppendNameservers("192.0.2.9", &ns);
  EXPECT_THAT(
      ns, ElementsAre("ns1.example.com", "ns2.example.com", "ns3.example.com", "ns4.example.com"));
}

TEST(RuleSetFor, ByHostThenByText) {
  EXPECT_EQ(rules::RuleSetFor("whois.nic.fr", "").name, "ripe");
  EXPECT_EQ(rules::RuleSetFor("WHOIS.NIC.UK.", "").name, "indented");
  EXPECT_EQ(rules::RuleSetFor("whois.jprs.jp", "").name, "bracket");
  EXPECT_EQ(rules::RuleSetFor("whois.dot.tk", "").name, "freenom");
  EXPECT_EQ(rules::RuleSetFor("whois.unknown.example", "[Domain Name] X.JP\n").name, "bracket");
  EXPECT_EQ(rules::RuleSetFor("whois.unknown.example", "Domain Name: x.com\n").name, "icann");
  EXPECT_EQ(rules::RuleSetFor("notwhois.nic.fr.example", "").name, "icann");
}

}  // namespace
}  // namespace whois
