// One test (or a few) per rule set over a short reply in its layout (tests/whois_parser/replies/,
// written for these tests; the README there says what each shows), plus the value clean-ups
// every rule set shares: redaction placeholders, EPP status codes, name servers.
#include "whois/parser/reply_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/whois_parser/fixture_files.h"
#include "whois/parser/reply_fields.h"
#include "whois/parser/rules/rule_set.h"

namespace whois {
namespace {

using ::testing::ElementsAre;

// Parses reply `name` as a reply of the server whose layout it copies (servers.tsv).
ParsedReply ParseFixture(const std::string& name) {
  std::string text = testing::ReadReply(name);
  std::string server = testing::ServerOf(name);
  EXPECT_FALSE(text.empty()) << name;
  EXPECT_FALSE(server.empty()) << name << " is not in servers.tsv";
  return ParseReply(server, text);
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(IcannRules, VerisignThinReply) {
  ParsedReply p = ParseFixture("icann-thin-registry.txt");
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(p.rule_set, "icann");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(r.domain, "example-thin.com");
  EXPECT_EQ(r.registrar.name, "Example Registrar, Inc.");
  EXPECT_EQ(r.registrar.iana_id, "292");
  EXPECT_EQ(r.registrar.whois_server, "whois.registrar.example");
  EXPECT_EQ(r.created, "1997-09-15T04:00:00Z");
  EXPECT_EQ(r.updated, "2019-09-09T15:39:04Z");
  EXPECT_EQ(r.expires, "2028-09-14T04:00:00Z");
  EXPECT_THAT(r.nameservers,
              ElementsAre("ns1.example-thin.com", "ns2.example-thin.com", "ns3.example-thin.com"));
  EXPECT_THAT(r.domain_status, ElementsAre("clientDeleteProhibited", "clientTransferProhibited",
                                           "serverUpdateProhibited"));
  EXPECT_EQ(r.dnssec, "unsigned");
}

TEST(IcannRules, ModernRedactedReply) {
  ParsedReply p = ParseFixture("icann-redacted.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(r.domain, "example-redacted.online");
  EXPECT_EQ(r.registrar.iana_id, "1234");
  EXPECT_EQ(r.expires, "2029-04-27T22:04:24Z");
  EXPECT_EQ(r.dnssec, "unsigned");
  EXPECT_EQ(r.registrant.organization, "Example Holdings Ltd.");
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
  ParsedReply p = ParseFixture("ripe-afnic-handles.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "ripe");
  EXPECT_EQ(r.domain, "exemple-poignees.fr");
  EXPECT_EQ(r.created, "2000-07-27T00:00:00Z");  // "27/07/2000": AFNIC is day-first
  EXPECT_EQ(r.expires, "2027-12-30T00:00:00Z");
  EXPECT_EQ(r.registrar.name, "EXEMPLE REGISTRAR SAS");
  // holder-c EXH1-FRNIC is an ORGANIZATION object; the registrar object's "country: US" must
  // not leak into the registrant.
  EXPECT_EQ(r.registrant.organization, "Exemple Holding SARL");
  EXPECT_EQ(r.registrant.country, "FR");
  EXPECT_EQ(r.tech.name, "Jeanne Dupont");
  EXPECT_THAT(r.nameservers,
              ElementsAre("ns1.exemple-poignees.fr", "ns2.exemple-poignees.fr", "ns3.dns.example"));
}

TEST(RipeRules, ChosenFromTextWhenHostUnknown) {
  std::string text = "domain: example.xx\nholder-c: H1\n\nnic-hdl: H1\ncontact: Jane\n";
  EXPECT_EQ(rules::RuleSetFor("whois.example.net", text).name, "ripe");
  ParsedReply p = ParseReply("whois.example.net", text);
  EXPECT_EQ(p.fields.registrant.name, "Jane");
}

TEST(IndentedRules, NominetSections) {
  ParsedReply p = ParseFixture("indented-nominet.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "indented");
  EXPECT_EQ(r.domain, "example-sections.co.uk");
  // "Example Registrar Ltd t/a Example Names [Tag = EXAMPLE-NAMES]": the trading name.
  EXPECT_EQ(r.registrar.name, "Example Names");
  EXPECT_EQ(r.created, "1999-02-14T00:00:00Z");
  EXPECT_EQ(r.expires, "2029-02-14T00:00:00Z");
  EXPECT_EQ(r.registrant.organization, "Example Widgets Ltd");
  EXPECT_EQ(r.registrant.country, "GB");  // last line of "Registrant's address:"
  EXPECT_THAT(r.nameservers, ElementsAre("ns1.example-sections.co.uk", "ns2.dns.example"));
}

TEST(IndentedRules, RegistroItSectionsWithoutColon) {
  ParsedReply p = ParseFixture("indented-registro-it.txt");
  EXPECT_EQ(p.fields.domain, "esempio-sezioni.it");
  EXPECT_EQ(p.fields.registrant.organization, "Esempio Holding S.r.l.");
  EXPECT_EQ(p.fields.admin.name, "Mario Rossi");
  EXPECT_EQ(p.fields.tech.name, "Giulia Bianchi");
  EXPECT_EQ(p.fields.registrant.country, "IT");  // last line of the address
  EXPECT_EQ(p.fields.registrar.name, "Esempio Registrar S.r.l.");
  EXPECT_THAT(p.fields.nameservers, ElementsAre("ns1.esempio-sezioni.it", "ns2.dns.example"));
}

TEST(BracketRules, Jprs) {
  ParsedReply p = ParseFixture("bracket-jprs.txt");
  const WhoisRecord& r = p.fields;
  EXPECT_EQ(p.rule_set, "bracket");
  EXPECT_EQ(r.domain, "example-brackets.jp");
  EXPECT_EQ(r.registrant.name, "Example KK");  // JPRS's [Registrant] is a name
  EXPECT_EQ(r.created, "2005-05-30T00:00:00Z");
  EXPECT_EQ(r.updated, "2024-05-31T16:05:07Z");  // "2024/06/01 01:05:07 (JST)"
  EXPECT_THAT(r.nameservers, ElementsAre("ns1.example-brackets.jp", "ns2.dns.example"));
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
  ParsedReply p = ParseFixture("columns-sk-nic.txt");
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(p.rule_set, "columns");
  EXPECT_EQ(p.fields.domain, "priklad-stlpce.sk");
  EXPECT_EQ(p.fields.expires, "2029-07-23T00:00:00Z");
  EXPECT_EQ(p.fields.updated, "2024-06-28T00:00:00Z");
  EXPECT_THAT(p.fields.nameservers, ElementsAre("ns1.priklad-stlpce.sk", "ns2.dns.example"));
  EXPECT_EQ(p.fields.admin.email, "jana.novakova@priklad.example");
}

TEST(FreenomRules, MonthFirstDates) {
  ParsedReply p = ParseFixture("freenom-month-first.txt");
  EXPECT_EQ(p.rule_set, "freenom");
  EXPECT_EQ(p.fields.domain, "example-months.tk");
  EXPECT_EQ(p.fields.created, "2001-12-18T00:00:00Z");  // "12/18/2001"
  EXPECT_EQ(p.fields.expires, "2029-03-02T00:00:00Z");  // "03/02/2029" is 2 March
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
  for (const char* line : {
           "clientTransferProhibited https://icann.org/epp#clientTransferProhibited",
           "CLIENT DELETE PROHIBITED", "server-hold", "ok (https://www.icann.org/epp#ok)",
           "clientUpdateProhibited, clientRenewProhibited",
           "ACTIVE",                         // RDAP's "active", lower case
           "Registered until expiry date.",  // not a code: kept as written
           "clientTransferProhibited",       // repeat dropped
       }) {
    AppendStatuses(line, &s);
  }
  EXPECT_THAT(s, ElementsAre("clientTransferProhibited", "clientDeleteProhibited", "serverHold",
                             "ok", "clientUpdateProhibited", "clientRenewProhibited", "active",
                             "Registered until expiry date."));
}

TEST(Nameservers, Normalised) {
  std::vector<std::string> ns;
  for (const char* line : {"NS1.Example.COM. 192.0.2.1", "ns2.example.com (192.0.2.2, 2001:db8::2)",
                           "ns3.example.com [2001:db8::3]", "example.pt\tNS\tns4.example.com.",
                           "ns1.example.com", "192.0.2.9"}) {
    AppendNameservers(line, &ns);
  }
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
