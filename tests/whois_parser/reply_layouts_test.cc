// The layouts, vocabularies and rules added for replies the parser had not been tuned on (issue
// 18). Each test holds a few lines written for it, in the shape a registry uses; the registry is
// named where one is known, but every rule is general: no test depends on the server's name
// (all use "whois.example"), so each shows that the shape alone is read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "whois/parser/reply_classifier.h"
#include "whois/parser/reply_fields.h"
#include "whois/parser/reply_parser.h"
#include "whois/parser/whois_date.h"

namespace whois {
namespace {

using ::testing::ElementsAre;

constexpr std::string_view kHost = "whois.example";

WhoisRecord Parse(std::string_view text) { return ParseReply(kHost, text).fields; }

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A text and what is read from it, for tests that read one value from many texts.
struct TextCase {
  const char* text;
  const char* expected;
};
using TextCases = std::initializer_list<TextCase>;

// --- Layouts -------------------------------------------------------------------------------

// A heading without a colon, then keyed lines at the same indentation (.fi, .ax, .tn): the
// heading says whose lines they are.
TEST(Layouts, HeadingWithoutColonThenKeyedLines) {
  WhoisRecord r = Parse(
      "domain.............: example.fi\n"
      "created............: 30.6.2006 00:00:00\n"
      "\n"
      "Holder\n"
      "name...............: Example Oy\n"
      "country............: Finland\n"
      "\n"
      "Registrar\n"
      "registrar..........: Example Registrar Ltd\n"
      "\n"
      "Tech\n"
      "name...............: Someone Else\n");
  EXPECT_EQ(r.domain, "example.fi");
  EXPECT_EQ(r.created, "2006-06-30T00:00:00Z");
  EXPECT_EQ(r.registrant.name, "Example Oy");
  EXPECT_EQ(r.registrant.organization, "Example Oy");  // "Oy": a legal form
  EXPECT_EQ(r.registrant.country, "FI");
  EXPECT_EQ(r.registrar.name, "Example Registrar Ltd");
  EXPECT_EQ(r.tech.name, "Someone Else");
}

// A comment that names the object after it (.ua): "% Registrar:" and "% Registrant:".
TEST(Layouts, CommentHeadingsNameTheObjectsAfterThem) {
  WhoisRecord r = Parse(
      "domain:           example.com.ua\n"
      "nserver:          ns1.example.com.ua\n"
      "\n"
      "% Registrar:\n"
      "% ==========\n"
      "registrar:        ua.example\n"
      "organization:     Example Registrar LLC\n"
      "country:          UA\n"
      "\n"
      "% Registrant:\n"
      "% ===========\n"
      "person:           Example Bank\n"
      "organization:     Example Bank JSC\n"
      "country:          CY\n");
  EXPECT_EQ(r.registrar.name, "Example Registrar LLC");  // the name, not the handle
  EXPECT_EQ(r.registrant.organization, "Example Bank JSC");
  EXPECT_EQ(r.registrant.country, "CY");  // not the registrar's UA
}

// Objects that start with "Registrar: HANDLE" or "Domain registrant: HANDLE" (.sk) describe that
// party; the registrar's name replaces its handle.
TEST(Layouts, ObjectsTypedByTheirFirstKey) {
  WhoisRecord r = Parse(
      "Domain:                       example.sk\n"
      "Created:                      2025-09-15\n"
      "\n"
      "Domain registrant:            EX-2128034\n"
      "Organization:                 Example s.r.o\n"
      "Country Code:                 SK\n"
      "\n"
      "Registrar:                    EXRG-0001\n"
      "Name:                         Example Registrar s.r.o.\n"
      "Country Code:                 CZ\n");
  EXPECT_EQ(r.registrant.organization, "Example s.r.o");
  EXPECT_EQ(r.registrant.country, "SK");
  EXPECT_EQ(r.registrar.name, "Example Registrar s.r.o.");
}

// FRED (CZ.NIC's registry software: .cz, .ve, .tz, .mk, .cr, .ar ...): the domain names its
// registrant by handle, and a "contact: HANDLE" object gives the contact; the handle itself is
// never the registrant's name.
TEST(Layouts, ContactObjectsNamedByHandle) {
  WhoisRecord r = Parse(
      "domain:       example.cz\n"
      "registrant:   EX1171195\n"
      "registrar:    REG-EXAMPLE\n"
      "registered:   21.07.2000 15:21:00\n"
      "\n"
      "contact:      EX1171195\n"
      "name:         Domain Administrator\n"
      "org:          Example Holding SCS\n"
      "address:      38 avenue John F. Kennedy\n"
      "address:      Luxembourg\n"
      "address:      LU\n"
      "\n"
      "contact:      OTHER1\n"
      "org:          Someone Else Inc.\n");
  EXPECT_EQ(r.registrant.name, "Domain Administrator");
  EXPECT_EQ(r.registrant.organization, "Example Holding SCS");
  EXPECT_EQ(r.registrant.country, "LU");  // the last address line of the object
  EXPECT_EQ(r.created, "2000-07-21T15:21:00Z");
}

// A key with an explanation in parentheses, however long (.hk), and a country written with its
// code in parentheses.
TEST(Layouts, KeyWithExplanation) {
  WhoisRecord r = Parse(
      "Domain Name:  EXAMPLE.COM.HK\n"
      "Registrant Contact Information:\n"
      "Company English Name (It should be the same as the registered/corporation name on your "
      "Business Register Certificate or relevant documents): EXAMPLE TRADING CO\n"
      "Company Chinese name:  -\n"
      "Country: Hong Kong (HK)\n"
      "Name Server (DB): ns1.example.hk\n");
  EXPECT_EQ(r.registrant.organization, "EXAMPLE TRADING CO");
  EXPECT_EQ(r.registrant.country, "HK");
  EXPECT_THAT(r.nameservers, ElementsAre("ns1.example.hk"));
}

// "Key<TAB>value" without a colon.
TEST(Layouts, TabSeparatedKeys) {
  WhoisRecord r = Parse(
      "Domain Name\texample.xx\n"
      "Registrar\tExample Registrar Ltd\n"
      "Creation Date\t2010-05-06\n"
      "Name Server\tns1.example.xx\n");
  EXPECT_EQ(r.domain, "example.xx");
  EXPECT_EQ(r.registrar.name, "Example Registrar Ltd");
  EXPECT_EQ(r.created, "2010-05-06T00:00:00Z");
  EXPECT_THAT(r.nameservers, ElementsAre("ns1.example.xx"));
}

// A key and its date without a colon, alone (.tw, OVH) or as a value line under a heading
// (.gg, .je), and "Domain EXAMPLE.KG (ACTIVE)" (.kg).
TEST(Layouts, KeyAndDateWithoutColon) {
  WhoisRecord tw = Parse(
      "Domain Name: example.com.tw\n"
      "   Record expires on 2026-11-09 00:00:00 (UTC+8)\n"
      "   Record created on 2000-08-29 10:22:50 (UTC+8)\n");
  EXPECT_EQ(tw.expires, "2026-11-08T16:00:00Z");
  EXPECT_EQ(tw.created, "2000-08-29T02:22:50Z");
  WhoisRecord gg = Parse(
      "Domain:\n"
      "     example.gg\n"
      "Registrar:\n"
      "     Example Registrar Inc. (http://www.example.net)\n"
      "     Registered on 30th April 2003 at 00:04:00.000\n"
      "     Registry fee due on 30th April each year\n");
  EXPECT_EQ(gg.created, "2003-04-30T00:04:00Z");
  EXPECT_EQ(gg.registrar.name, "Example Registrar Inc.");
  WhoisRecord kg = Parse("Domain EXAMPLE.KG (ACTIVE)\nRecord created: Tue Feb 10 09:42:42 2004\n");
  EXPECT_EQ(kg.domain, "example.kg");
  EXPECT_EQ(kg.created, "2004-02-10T09:42:42Z");
}

// Prose that happens to start like a key is not read as one.
TEST(Layouts, ProseIsNotAKey) {
  WhoisRecord r = Parse(
      "Domain Name: example.com\n"
      "Registered users must not misuse this service, see 2020 terms.\n"
      "Domain names can be registered through many registrars.\n");
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_TRUE(r.created.empty());
}

// One key repeated over the lines of one contact (.ac, .sh, .tm): name, organisation, address,
// country.
TEST(Layouts, RepeatedKeyContactBlock) {
  WhoisRecord r = Parse(
      "Domain : example.ac\n"
      "Expiry : 2014-04-03\n"
      "\n"
      "Owner  : DNS Admin\n"
      "Owner  : Example Inc.\n"
      "Owner  : 1600 Example Parkway\n"
      "Owner  : Mountain View\n"
      "Owner  : US\n");
  EXPECT_EQ(r.registrant.name, "DNS Admin");
  EXPECT_EQ(r.registrant.organization, "Example Inc.");
  EXPECT_EQ(r.registrant.country, "US");
  EXPECT_EQ(r.registrant.street, "1600 Example Parkway, Mountain View");
}

// A RIPE-style domain object that names no registrant otherwise: "descr:" lines are the holder
// and its address (.il, .hr).
TEST(Layouts, DescrLinesAreTheHolder) {
  WhoisRecord r = Parse(
      "domain:       example.co.il\n"
      "descr:        Example Ltd.\n"
      "descr:        1 Example Street\n"
      "descr:        Tel Aviv\n"
      "descr:        Israel\n"
      "nserver:      ns1.example.co.il\n");
  EXPECT_EQ(r.registrant.organization, "Example Ltd.");
  EXPECT_EQ(r.registrant.country, "IL");
}

// Section headings give "name" a meaning: a domain section (.ee) and a name-server section
// (.tn).
TEST(Layouts, DomainAndNameServerSections) {
  WhoisRecord r = Parse(
      "Domain:\n"
      "name:       example.ee\n"
      "registered: 2010-07-04 04:34:46 +03:00\n"
      "\n"
      "DNS servers\n"
      "Name................: ns4.example.ee.\n"
      "Name................: ns1.example.ee.\n");
  EXPECT_EQ(r.domain, "example.ee");
  EXPECT_EQ(r.created, "2010-07-04T01:34:46Z");
  EXPECT_THAT(r.nameservers, ElementsAre("ns4.example.ee", "ns1.example.ee"));
}

// Colons inside a time, parentheses or brackets belong to the value.
TEST(Layouts, ColonsInsideValues) {
  WhoisRecord r = Parse(
      "DOMAIN NAME:           example.pl\n"
      "nameservers:           dns1.example.pl. [192.0.2.1][2001:db8::1]\n"
      "                       dns2.example.pl. [192.0.2.2][2001:db8::2]\n"
      "Name Servers:\n"
      "        DNS3.EXAMPLE.PL  (192.0.2.3, 2001:db8::3)\n");
  EXPECT_THAT(r.nameservers, ElementsAre("dns1.example.pl", "dns2.example.pl", "dns3.example.pl"));
}

// Two pairs on one line.
TEST(Layouts, TwoPairsOnOneLine) {
  WhoisRecord r = Parse(
      "Domain name: example.com.fj\tStatus: Active\n"
      "Created: 2001-01-02   Expires: 2011-01-02\n");
  EXPECT_EQ(r.domain, "example.com.fj");
  EXPECT_EQ(r.created, "2001-01-02T00:00:00Z");
  EXPECT_EQ(r.expires, "2011-01-02T00:00:00Z");
}

// --- Vocabularies --------------------------------------------------------------------------

// Spanish keys, accented or not (.bo, .cl, .ve), and French ones (.sn).
TEST(Vocabularies, SpanishAndFrenchKeys) {
  WhoisRecord bo = Parse(
      "Dominio: example.com.bo\n"
      "TITULAR:\n"
      "Organización: Example S.A.\n"
      "Nombre: Someone\n"
      "Fecha de registro: 2004-10-01\n"
      "Fecha de vencimiento: 2018-10-01\n");
  EXPECT_EQ(bo.domain, "example.com.bo");
  EXPECT_EQ(bo.registrant.organization, "Example S.A.");
  EXPECT_EQ(bo.created, "2004-10-01T00:00:00Z");
  EXPECT_EQ(bo.expires, "2018-10-01T00:00:00Z");
  WhoisRecord sn = Parse(
      "Nom de domaine:                example.sn\n"
      "Date de création:              2003-03-22T00:00:00Z\n"
      "Dernière modification:         2025-12-06T17:12:28Z\n"
      "Date d'expiration:             2026-12-31T12:00:00Z\n");
  EXPECT_EQ(sn.domain, "example.sn");
  EXPECT_EQ(sn.created, "2003-03-22T00:00:00Z");
  EXPECT_EQ(sn.updated, "2025-12-06T17:12:28Z");
  EXPECT_EQ(sn.expires, "2026-12-31T12:00:00Z");
}

// Keys registries use for the registrant's organisation beyond "Registrant Organization".
TEST(Vocabularies, RegistrantOrganisationUnderOtherKeys) {
  for (const TextCase& c : TextCases{
           {"Domain Name: example.th\nDomain Holder Organization: Example Co., Ltd.\n",
            "Example Co., Ltd."},
           {"Domain Name: example.au\nRegistrant: Example Pty Ltd\n", "Example Pty Ltd"},
           // .cm / .ec: "International Organisation" in the registrant section.
           {"Domain Name: example.cm\nRegistrant:\nInternational Organisation: Example Inc.\n",
            "Example Inc."},
           // .ua: the local-script variant ("organization-loc") when no other is given.
           {"domain: example.ua\n\n% Registrant:\norganization-loc: Example LLC\n", "Example LLC"},
       }) {
    EXPECT_EQ(Parse(c.text).registrant.organization, c.expected) << c.text;
  }
}

// --- Organisation from a name --------------------------------------------------------------

TEST(Organisations, NameThatReadsAsAnOrganisation) {
  for (const char* name :
       {"Google LLC", "Irish Domains Limited", "Example S.p.A.", "CANON SINGAPORE PTE. LTD.",
        "Google Hrvatska d.o.o.", "Citibank, N.A.", "Example AG", "University of Bristol",
        "南京越之彬网络科技有限公司", "Example Oy"}) {
    EXPECT_TRUE(LooksLikeOrganization(name)) << name;
  }
  for (const char* name : {"Christina Chiou", "DNS Admin", "Na Li", "Domain Administrator",
                           "Sven Slootweg", "Mario Rossi"}) {
    EXPECT_FALSE(LooksLikeOrganization(name)) << name;
  }
  // A registry without an organisation field: the name is the organisation when it reads as one.
  WhoisRecord company = Parse("Domain Name: example.pe\nRegistrant Name: Example LLC\n");
  EXPECT_EQ(company.registrant.organization, "Example LLC");
  WhoisRecord person = Parse("Domain Name: example.pe\nRegistrant Name: Mario Rossi\n");
  EXPECT_TRUE(person.registrant.organization.empty());
}

// A register number or a "legal person" type says the contact is an organisation (.ee, .lv).
TEST(Organisations, MarkersOfAnOrganisation) {
  WhoisRecord ee = Parse(
      "Domain:\nname:       example.ee\n\n"
      "Registrant:\nname:       Eesti Example Sihtasutus\norg id:     90010019\ncountry:    EE\n");
  EXPECT_EQ(ee.registrant.organization, "Eesti Example Sihtasutus");
  WhoisRecord lv = Parse(
      "[Domain]\nDomain: example.lv\n\n[Holder]\nType: Legal person\nName: Example SIA\n"
      "Country: LV\n");
  EXPECT_EQ(lv.registrant.organization, "Example SIA");
  WhoisRecord natural = Parse(
      "[Domain]\nDomain: example.lv\n\n[Holder]\nType: Natural person\nName: Janis Berzins\n");
  EXPECT_TRUE(natural.registrant.organization.empty());
}

// --- Registrars ----------------------------------------------------------------------------

TEST(Registrars, NameRatherThanHandleOrDecoration) {
  for (const TextCase& c : TextCases{
           {"Domain: example.am\nRegistrar: abcdomain (ABCDomain LLC)\n", "ABCDomain LLC"},
           {"Domain: example.gg\nRegistrar: Example Inc. (http://www.example.com)\n",
            "Example Inc."},
           {"Domain: example.kr\nRegistrar: Whois Corp.(http://whois.co.kr)\n", "Whois Corp."},
           {"Domain: example.asia\nSponsoring Registrar: EuroDNS S.A. R36-ASIA (1052)\n",
            "EuroDNS S.A."},
           // Quotes inside a name are the name's.
           {"Domain: example.lt\nRegistrar: UAB \"Interneto vizija\"\n",
            "UAB \"Interneto vizija\""},
           // A URL is no name.
           {"Domain: example.com\nRegistrar: https://www.example.com/\n", ""},
           // The handle given first gives way to the name given later.
           {"domain: example.ua\nregistrar: ua.example\nregistrar name: Example LLC\n",
            "Example LLC"},
       }) {
    EXPECT_EQ(Parse(c.text).registrar.name, c.expected) << c.text;
  }
}

// --- Placeholders and privacy services -----------------------------------------------------

// A privacy service stands in for the owner: nothing of its contact is published, whatever the
// words of its name; the paths go to `redacted`.
TEST(Privacy, ServicesAreWithheldContacts) {
  for (const char* service :
       {"WhoisGuard, Inc.", "Domains By Proxy, LLC",
        "Privacy service provided by Withheld for "
        "Privacy ehf",
        "Contact Privacy Inc. Customer 0123456", "Whois Privacy Corp.",
        "Super Privacy Service LTD c/o Dynadot", "Identity Protect Limited",
        "Privacy Protect, LLC (PrivacyProtect.org)", "See PrivacyGuardian.org"}) {
    WhoisRecord r =
        Parse(std::string("Domain Name: example.com\nRegistrant Organization: ") + service +
              "\nRegistrant Street: 1 Proxy Street\nRegistrant Country: PA\n");
    EXPECT_TRUE(r.registrant.organization.empty()) << service;
    EXPECT_TRUE(r.registrant.street.empty()) << service;
    EXPECT_TRUE(r.registrant.country.empty()) << service;
    EXPECT_TRUE(Has(r.redacted, "registrant.organization")) << service;
    EXPECT_TRUE(Has(r.redacted, "registrant.country")) << service;
  }
  // A placeholder withholds its own field only: the country stays.
  WhoisRecord r = Parse(
      "Domain Name: example.com\nRegistrant Organization: Withheld for Privacy Purposes\n"
      "Registrant Country: IS\n");
  EXPECT_TRUE(r.registrant.organization.empty());
  EXPECT_EQ(r.registrant.country, "IS");
  // AFNIC's anonymised individual.
  EXPECT_TRUE(IsRedactionPlaceholder("Ano Nymous"));
  // A real company that has "privacy" nowhere is kept.
  EXPECT_FALSE(IsPrivacyService("Google LLC"));
  EXPECT_FALSE(IsPrivacyService("REDACTED FOR PRIVACY"));  // a withheld field, not a service
}

// --- Classification ------------------------------------------------------------------------

// A not-found phrase in a remark does not outweigh the data around it (.ir).
TEST(Classification, NotFoundPhraseInARemark) {
  std::string_view text =
      "domain:\t\texample.ir\n"
      "remarks:\tThis domain is only available for registration under certain conditions\n"
      "holder-c:\tex123-irnic\n"
      "nserver:\tns1.example.ir\n"
      "last-updated:\t2019-11-07\n"
      "expire-date:\t2020-12-22\n";
  EXPECT_EQ(ClassifyReply(text), ReplyKind::kRecord);
}

TEST(Classification, MoreNotFoundAndRefusalTexts) {
  EXPECT_EQ(ClassifyReply("The queried object does not exist: previous registration D7901-CNIC "
                          "was purged on 2019-12-30T23:18:42.0Z (DOMAIN NOT FOUND)\n"),
            ReplyKind::kNotFound);
  EXPECT_EQ(ClassifyReply("El dominio no se encuentra registrado en NIC Argentina\n"),
            ReplyKind::kNotFound);
  EXPECT_EQ(ClassifyReply("WHOIS lookup for example.ML can temporarily not be answered. Please "
                          "try again.\n"),
            ReplyKind::kRefused);
  EXPECT_EQ(ClassifyReply("Please maintain at least 10-second time before starting another "
                          "enquiry.\n"),
            ReplyKind::kRefused);
  EXPECT_EQ(ClassifyReply("Server can't process your request.\n"), ReplyKind::kRefused);
}

// An IDN registry that echoes the U-label still names the domain: the reply is a record.
TEST(Classification, UnicodeDomainNameEcho) {
  ParsedReply p = ParseReply(kHost,
                             "Domain Name: 你好.中国\n"
                             "Registrant: 北京某某科技有限公司\n"
                             "Name Server: ns1.example.cn\n"
                             "Registration Time: 2013-05-17 15:50:04\n");
  EXPECT_EQ(p.kind, ReplyKind::kRecord);
  EXPECT_EQ(p.fields.domain, "你好.中国");
  EXPECT_EQ(p.fields.registrant.organization, "北京某某科技有限公司");
}

// Freenom's layout is known by its shape, whatever the host: dates are month first.
TEST(Classification, FreenomByShape) {
  ParsedReply p = ParseReply("whois.nic.ga",
                             "   Domain name:\n"
                             "      EXAMPLE.GA is Active\n"
                             "   Domain registered: 06/11/2013\n"
                             "   Record will expire on: 01/31/2018\n"
                             "   Record maintained by: My GA Domain Registry\n");
  EXPECT_EQ(p.rule_set, "freenom");
  EXPECT_EQ(p.fields.created, "2013-06-11T00:00:00Z");
  EXPECT_EQ(p.fields.registrar.name, "My GA Domain Registry");
}

// A placeholder name server is no name server (.uz "not.defined.").
TEST(Nameservers, PlaceholderHost) {
  EXPECT_THAT(Parse("Domain Name: example.uz\nName Server: ns1.example.uz.\n"
                    "Name Server: not.defined.\n")
                  .nameservers,
              ElementsAre("ns1.example.uz"));
}

// --- Dates ---------------------------------------------------------------------------------

// Zone abbreviations of South American and South-East Asian registries are applied (.cl prints
// "CLST", .br "BRST", .id "WIB", .my "MYT", .th "ICT"); the ambiguous ones stay unread (UTC).
TEST(Dates, SouthAmericanAndSouthEastAsianZones) {
  for (const TextCase& c : TextCases{
           {"2014-02-01 13:05:11 CLST", "2014-02-01T16:05:11Z"},
           {"2014-07-01 13:05:11 CLT", "2014-07-01T17:05:11Z"},
           {"2020-01-10 10:00:00 BRST", "2020-01-10T12:00:00Z"},
           {"2020-06-10 10:00:00 BRT", "2020-06-10T13:00:00Z"},
           {"2021-03-04 08:00:00 WIB", "2021-03-04T01:00:00Z"},
           {"2021-03-04 08:00:00 MYT", "2021-03-04T00:00:00Z"},
           {"2021-03-04 08:00:00 ICT", "2021-03-04T01:00:00Z"},
       }) {
    EXPECT_EQ(ParseWhoisDate(c.text, DateOrder::kDayFirst), c.expected) << c.text;
  }
}

}  // namespace
}  // namespace whois
