#include "whois/rdap/rdap_mapper.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>

#include "fake_rdap_process.h"

namespace whois {

// Whole contacts and registrars in failure messages (found by gtest through ADL).
void PrintTo(const Contact& c, std::ostream* os) {
  *os << "{name '" << c.name << "', organization '" << c.organization << "', street '" << c.street
      << "', city '" << c.city << "', state '" << c.state << "', postal_code '" << c.postal_code
      << "', country '" << c.country << "', phone '" << c.phone << "', email '" << c.email << "'}";
}

void PrintTo(const Registrar& r, std::ostream* os) {
  *os << "{name '" << r.name << "', iana_id '" << r.iana_id << "', url '" << r.url
      << "', whois_server '" << r.whois_server << "', abuse_email '" << r.abuse_email
      << "', abuse_phone '" << r.abuse_phone << "'}";
}

namespace rdap {
namespace {

constexpr std::string_view kBase = "http://127.0.0.1:8080";

std::string Fixture(std::string_view path) {
  std::string text = fake_rdap::FakeRdapProcess::ReadFixture(path, kBase);
  EXPECT_FALSE(text.empty()) << "missing fixture " << path;
  return text;
}

// What the fixture at `path` maps to as the answer for `domain`; a fixture that does not map to
// a record fails the test.
RdapDomainResult MapFixture(std::string_view path, std::string_view domain) {
  RdapDomainResult r = MapDomainResponse(Fixture(path), domain);
  EXPECT_EQ(r.kind, RdapKind::kFound) << path << ": " << r.error;
  return r;
}

bool Has(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

TEST(RdapMapperTest, RegistryResponse) {
  const RdapDomainResult r = MapFixture("/domain/example.com", "Example.COM");
  const WhoisRecord& w = r.record;
  EXPECT_EQ(w.domain, "example.com");
  EXPECT_EQ(w.status, "registered");
  EXPECT_EQ(w.source_protocol, "rdap");
  EXPECT_EQ(w.created, "1995-08-14T04:00:00Z");
  EXPECT_EQ(w.expires, "2026-08-13T04:00:00Z");
  EXPECT_EQ(w.updated, "2025-08-14T07:01:38Z");
  EXPECT_EQ(w.registrar, (Registrar{.name = "Example Registrar, Inc.",
                                    .iana_id = "9999",
                                    .abuse_email = "abuse@registrar.example",
                                    .abuse_phone = "+1.5555550100"}));
  EXPECT_EQ(w.domain_status,
            (std::vector<std::string>{"clientDeleteProhibited", "clientTransferProhibited",
                                      "clientUpdateProhibited", "serverDeleteProhibited"}));
  EXPECT_EQ(w.nameservers, (std::vector<std::string>{"a.iana-servers.net", "b.iana-servers.net"}));
  EXPECT_EQ(w.dnssec, "signedDelegation");
  EXPECT_TRUE(w.registrant.empty());
  EXPECT_TRUE(w.redacted.empty());
  EXPECT_EQ(r.registrar_rdap_url, std::string(kBase) + "/registrar/domain/example.com");
}

TEST(RdapMapperTest, RegistrarResponseWithRedactions) {
  const RdapDomainResult r = MapFixture("/registrar/domain/example.com", "example.com");
  const WhoisRecord& w = r.record;
  EXPECT_EQ(w.registrar.name, "Example Registrar, Inc. (retail)");
  EXPECT_EQ(w.registrar.url, "https://registrar.example/");
  EXPECT_EQ(w.registrar.whois_server, "whois.registrar.example");
  EXPECT_EQ(w.registrar.abuse_email, "abuse-desk@registrar.example");
  EXPECT_EQ(w.registrar.abuse_phone, "+44.2070000000");
  // Registrant: only what was not redacted; placeholders never become values.
  EXPECT_EQ(w.registrant, (Contact{.organization = "Example Holdings Ltd",
                                   .state = "Greater London",
                                   .country = "GB"}));
  // Tech: name is a placeholder; fax skipped for the voice number; country from its name.
  EXPECT_EQ(w.tech, (Contact{.organization = "Hosting Example BV",
                             .street = "Keizersgracht 1, 3rd floor",
                             .city = "Amsterdam",
                             .postal_code = "1015 AA",
                             .country = "NL",
                             .phone = "+31.200000000",
                             .email = "tech@hosting.example"}));
  EXPECT_EQ(w.created, "1995-08-14T04:00:00Z");
  EXPECT_EQ(w.expires, "2026-08-13T04:00:00Z");
  EXPECT_EQ(w.domain_status, (std::vector<std::string>{"clientTransferProhibited", "ok"}));
  for (const char* path :
       {"registrant.name", "registrant.street", "registrant.city", "registrant.postal_code",
        "registrant.phone", "registrant.email", "tech.name"}) {
    EXPECT_TRUE(Has(w.redacted, path)) << path;
  }
  EXPECT_EQ(w.redacted.size(), 7u);  // each path once; "Registry Registrant ID", fax: no field
  EXPECT_EQ(r.registrar_rdap_url, "");
  std::string json = ToJson(w);
  EXPECT_EQ(json.find("REDACTED"), std::string::npos) << json;
  EXPECT_EQ(json.find("Please query"), std::string::npos) << json;
}

TEST(RdapMapperTest, MergeRegistrarIntoRegistry) {
  RdapDomainResult registry = MapFixture("/domain/example.com", "example.com");
  const RdapDomainResult registrar = MapFixture("/registrar/domain/example.com", "example.com");
  MergeRegistrarInto(&registry, registrar);
  const WhoisRecord& w = registry.record;
  EXPECT_EQ(w.registrar.name, "Example Registrar, Inc. (retail)");  // registrar wins
  EXPECT_EQ(w.registrar.abuse_email, "abuse-desk@registrar.example");
  EXPECT_EQ(w.registrar.whois_server, "whois.registrar.example");
  EXPECT_EQ(w.registrant.organization, "Example Holdings Ltd");
  EXPECT_EQ(w.domain_status.size(), 4u);  // the registry's
  EXPECT_EQ(w.nameservers.size(), 2u);
  EXPECT_EQ(w.dnssec, "signedDelegation");
  EXPECT_EQ(w.updated, "2025-08-14T07:01:38Z");
  EXPECT_TRUE(Has(w.redacted, "registrant.email"));
  EXPECT_EQ(registry.registrar_rdap_url, std::string(kBase) + "/registrar/domain/example.com");

  // A registrar answer that is not kFound changes nothing.
  const RdapDomainResult before = MapFixture("/domain/example.com", "example.com");
  RdapDomainResult copy = before;
  MergeRegistrarInto(&copy, MapDomainResponse("oops", "example.com"));
  EXPECT_EQ(copy.record, before.record);

  // A value the registry has is not listed as redacted because the registrar withheld it.
  RdapDomainResult thick = before;
  thick.record.registrant.email = "owner@example.com";
  MergeRegistrarInto(&thick, registrar);
  EXPECT_EQ(thick.record.registrant.email, "owner@example.com");
  EXPECT_FALSE(Has(thick.record.redacted, "registrant.email"));
}

TEST(RdapMapperTest, CcTldShapes) {
  const RdapDomainResult r = MapFixture("/domain/beispiel.de", "beispiel.de");
  const WhoisRecord& w = r.record;
  EXPECT_EQ(w.registrant, (Contact{.name = "Erika Mustermann",
                                   .street = "Musterstrasse 1",
                                   .city = "Berlin",
                                   .postal_code = "10115",
                                   .country = "DE",
                                   .email = "erika@beispiel.de"}));
  EXPECT_EQ(w.admin, w.registrant);  // one entity, two roles
  EXPECT_EQ(w.domain_status, std::vector<std::string>{"ok"});
  EXPECT_EQ(w.dnssec, "unsigned");
  EXPECT_EQ(w.nameservers, std::vector<std::string>{"ns1.beispiel.de"});
  EXPECT_EQ(w.updated, "2024-02-29T22:30:00Z");
}

TEST(RdapMapperTest, NotFound) {
  RdapDomainResult doc = MapDomainResponse(
      R"({"errorCode":404,"title":"Not Found","description":["No such domain"]})", "nope.com");
  EXPECT_EQ(doc.kind, RdapKind::kNotFound);
  EXPECT_EQ(doc.record.status, "not_found");
  EXPECT_EQ(doc.record.domain, "nope.com");
  EXPECT_EQ(doc.error, "Not Found");
  EXPECT_EQ(MapDomainResponse("", "nope.com", 404).kind, RdapKind::kNotFound);
  EXPECT_EQ(MapDomainResponse("<html>gone</html>", "nope.com", 404).kind, RdapKind::kNotFound);
  EXPECT_EQ(MapDomainResponse(R"({"errorCode":500,"title":"oops"})", "x.com").kind,
            RdapKind::kUnusable);
  EXPECT_EQ(MapDomainResponse(Fixture("/domain/example.com"), "example.com", 429).kind,
            RdapKind::kUnusable);
}

TEST(RdapMapperTest, UnusableInputNeverThrows) {
  for (std::string_view bad :
       {"", "null", "[]", "42", "\"x\"", "{", "{\"objectClassName\":\"entity\"}",
        R"({"objectClassName":"domain","ldhName":"other.com"})",
        R"({"objectClassName":"domain","ldhName":"x.com","entities":"x","events":[1,null],
            "status":{"a":1},"nameservers":[1,{"ldhName":5}],"secureDNS":[],"redacted":7,
            "links":{"rel":"related"}})",
        R"({"objectClassName":"domain","entities":[{"roles":"registrant","vcardArray":{}},
            {"roles":["registrant"],"vcardArray":["vcard",[["fn"],["adr",{},"text",5],
            ["tel",{"type":7},"uri",["a"]],["email",{},"text",{"x":1}]]]},
            {"roles":["registrar"],"publicIds":[{"type":"IANA Registrar ID","identifier":12}]}]})"}) {
    RdapDomainResult r = MapDomainResponse(bad, "x.com");
    EXPECT_EQ(r.record.domain, "x.com");
    if (r.kind == RdapKind::kFound) {
      EXPECT_EQ(r.record.status, "registered");
    }
  }
  EXPECT_EQ(MapDomainResponse(std::string(50, '[') + std::string(50, ']'), "x.com").kind,
            RdapKind::kUnusable);
  EXPECT_EQ(MapDomainResponse(std::string(kMaxRdapResponseBytes + 1, ' '), "x.com").kind,
            RdapKind::kUnusable);
  // Random mutations of a real document: any kind is fine, an exception or crash is not.
  std::string doc = Fixture("/registrar/domain/example.com");
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string m = doc;
    for (int k = 0; k < 4; ++k) m[rng() % m.size()] = static_cast<char>(rng() % 128);
    (void)MapDomainResponse(m, "example.com");
  }
}

std::string WithLinks(std::string_view links) {
  return R"({"objectClassName":"domain","ldhName":"x.com","links":)" + std::string(links) + "}";
}

TEST(RdapMapperTest, RelatedLinkValidation) {
  auto related = [](std::string_view href, std::string_view type = "application/rdap+json") {
    return R"({"rel":"related","type":")" + std::string(type) + R"(","href":")" +
           std::string(href) + R"("})";
  };
  EXPECT_EQ(MapDomainResponse(
                WithLinks("[" + related("https://rdap.reg.example/domain/x.com") + "]"), "x.com")
                .registrar_rdap_url,
            "https://rdap.reg.example/domain/x.com");
  for (const std::string& bad : std::vector<std::string>{
           "ftp://rdap.reg.example/x", "javascript:alert(1)", "https://user:pw@rdap.reg.example/x",
           "//rdap.reg.example/x", "https://rdap.reg.example/" + std::string(2000, 'a')}) {
    RdapDomainResult r = MapDomainResponse(WithLinks("[" + related(bad) + "]"), "x.com");
    EXPECT_EQ(r.kind, RdapKind::kFound);
    EXPECT_EQ(r.registrar_rdap_url, "") << bad;
    EXPECT_FALSE(r.notes.empty()) << bad;
  }
  // Wrong type, or a related link that is the self link, is not the registrar's RDAP URL.
  EXPECT_EQ(
      MapDomainResponse(WithLinks("[" + related("https://r.example/x", "text/html") + "]"), "x.com")
          .registrar_rdap_url,
      "");
  EXPECT_EQ(MapDomainResponse(WithLinks(R"([{"rel":"self","href":"https://r.example/x"},)" +
                                        related("https://r.example/x") + "]"),
                              "x.com")
                .registrar_rdap_url,
            "");
  // The first bad link does not hide a good one after it.
  EXPECT_EQ(MapDomainResponse(
                WithLinks("[" + related("ftp://a/") + "," + related("https://b.example/d") + "]"),
                "x.com")
                .registrar_rdap_url,
            "https://b.example/d");
  // Links on the registrar entity are used when the domain has none.
  std::string in_entity = R"({"objectClassName":"domain","entities":[{"roles":["registrar"],
      "links":[)" + related("https://rdap.reg.example/") +
                          "]}]}";
  EXPECT_EQ(MapDomainResponse(in_entity, "x.com").registrar_rdap_url, "https://rdap.reg.example/");
}

}  // namespace
}  // namespace rdap
}  // namespace whois
