#include "whois/record/record.h"

#include <gtest/gtest.h>

#include <string>

namespace whois {
namespace {

WhoisRecord FullRecord() {
  WhoisRecord r;
  r.domain = "xn--bcher-kva.de";
  r.unicode = "bücher.de";
  r.status = "fallback";
  r.reason = "rate_limited";
  r.retry_after = 30;
  r.created = "2001-02-03T04:05:06Z";
  r.updated = "2024-01-31T12:00:00Z";
  r.expires = "2030-12-31T23:59:59Z";
  r.registrar = {"Example Registrar",         "1234",
                 "https://registrar.example", "whois.registrar.example",
                 "abuse@registrar.example",   "+1.5555550100"};
  r.registrant = {"Jane Doe", "Example GmbH", "Hauptstr. 1, Hinterhaus", "Berlin", "BE", "10115",
                  "DE",       "+49.301234",   "jane@example.de"};
  r.admin = {"Admin", "Org", "1 Street", "City", "State", "12345", "US", "+1.1", "a@example.com"};
  r.tech = {"Tech", "Org", "2 Street", "City", "State", "12345", "GB", "+44.1", "t@example.com"};
  r.nameservers = {"ns1.example.net", "ns2.example.net"};
  r.domain_status = {"clientTransferProhibited", "serverDeleteProhibited"};
  r.dnssec = "signedDelegation";
  r.redacted = {"registrant.email", "admin.name"};
  r.country = "DE";
  r.country_source = "registrant";
  r.source_protocol = "whois";
  r.source_servers = {"whois.denic.de"};
  r.fetched_at = "2026-11-25T08:00:00Z";
  return r;
}

std::string ErrorOf(std::string_view json) {
  auto result = RecordFromJson(json);
  if (!result.ok()) {
    EXPECT_TRUE(result.status().IsInvalidArgument()) << result.status().ToString();
    return result.status().message();
  }
  return "(no error)";
}

TEST(ToJsonTest, OmitsEmptyFields) {
  WhoisRecord r;
  r.domain = "example.com";
  r.unicode = "example.com";  // same as domain: left out
  r.status = "registered";
  r.nameservers = {""};    // only empty elements: array left out
  r.registrant.name = "";  // empty object: left out
  r.retry_after = 5;       // not a fallback record: left out
  EXPECT_EQ(ToJson(r), R"({"domain":"example.com","status":"registered"})");
}

TEST(ToJsonTest, FullRecordHasFixedFieldOrder) {
  std::string json = ToJson(FullRecord());
  const char* keys[] = {"\"domain\"",         "\"unicode\"",        "\"status\"",  "\"reason\"",
                        "\"retry_after\"",    "\"created\"",        "\"updated\"", "\"expires\"",
                        "\"registrar\"",      "\"registrant\"",     "\"admin\"",   "\"tech\"",
                        "\"nameservers\"",    "\"domain_status\"",  "\"dnssec\"",  "\"redacted\"",
                        "\"country\":\"DE\"", "\"country_source\"", "\"source\""};
  size_t last = 0;
  for (const char* key : keys) {
    size_t pos = json.find(key, last);
    ASSERT_NE(pos, std::string::npos) << key << " missing or out of order in " << json;
    last = pos;
  }
  EXPECT_NE(json.find(R"("registrar":{"name":"Example Registrar","iana_id":"1234","url")"),
            std::string::npos);
  EXPECT_NE(json.find(R"("source":{"protocol":"whois","servers":["whois.denic.de"],)"
                      R"("fetched_at":"2026-11-25T08:00:00Z"})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("retry_after":30,)"), std::string::npos);
}

TEST(ToJsonTest, CanonicalisesNameservers) {
  WhoisRecord r;
  r.domain = "example.com";
  r.status = "registered";
  r.nameservers = {"NS1.Example.NET.", "ns1.example.net", "", "ns2.example.net"};
  EXPECT_EQ(ToJson(r), R"({"domain":"example.com","status":"registered",)"
                       R"("nameservers":["ns1.example.net","ns2.example.net"]})");
}

TEST(ToJsonTest, InvalidUtf8IsReplacedNotThrown) {
  WhoisRecord r;
  r.domain = "example.com";
  r.status = "registered";
  r.registrant.name = "M\xFCller";  // Latin-1
  std::string json;
  ASSERT_NO_THROW(json = ToJson(r));
  EXPECT_NE(json.find("M\xEF\xBF\xBD"), std::string::npos) << json;
}

TEST(RecordFromJsonTest, RoundTripIsIdentity) {
  std::string json = ToJson(FullRecord());
  auto parsed = RecordFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value(), FullRecord());
  EXPECT_EQ(ToJson(parsed.value()), json);
}

TEST(RecordFromJsonTest, IgnoresUnknownFieldsAndNulls) {
  auto parsed = RecordFromJson(
      R"({"domain":"example.com","status":"not_found","extra":{"a":[1,2]},"dnssec":null})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().status, "not_found");
  EXPECT_EQ(parsed.value().dnssec, "");
}

TEST(RecordFromJsonTest, StreetMayBeAnArrayOfLines) {
  auto parsed = RecordFromJson(
      R"({"domain":"example.com","status":"registered","tech":{"street":["1 Road","Unit 2"]}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().tech.street, "1 Road, Unit 2");
}

TEST(RecordFromJsonTest, NotJsonOrNotObject) {
  EXPECT_EQ(ErrorOf("not json").rfind("not valid JSON: ", 0), 0u) << ErrorOf("not json");
  EXPECT_EQ(ErrorOf("").rfind("not valid JSON: ", 0), 0u);
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com")").rfind("not valid JSON: ", 0), 0u);
  EXPECT_EQ(ErrorOf("[1,2]"), "record JSON must be an object");
  EXPECT_EQ(ErrorOf(R"("x")"), "record JSON must be an object");
}

TEST(RecordFromJsonTest, MissingDomainOrBadStatus) {
  EXPECT_EQ(ErrorOf(R"({"status":"registered"})"), "field 'domain' is missing or empty");
  EXPECT_EQ(ErrorOf(R"({"domain":"","status":"registered"})"),
            "field 'domain' is missing or empty");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com"})"), "field 'status' is missing");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"gone"})"),
            "field 'status' must be one of registered, not_found, fallback, invalid, not 'gone'");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"fallback","reason":"bored"})")
                .find("field 'reason' of a fallback record must be one of refused,"),
            0u);
}

struct WrongType {
  const char* json_field;  // `"name":value` spliced into an otherwise valid record
  const char* message;
};

TEST(RecordFromJsonTest, WrongTypesNameTheField) {
  const WrongType cases[] = {
      {R"("domain":1)", "field 'domain' must be a string"},
      {R"("unicode":[])", "field 'unicode' must be a string"},
      {R"("status":true)", "field 'status' must be a string"},
      {R"("reason":{})", "field 'reason' must be a string"},
      {R"("retry_after":"5")", "field 'retry_after' must be a non-negative integer (seconds)"},
      {R"("retry_after":1.5)", "field 'retry_after' must be a non-negative integer (seconds)"},
      {R"("retry_after":-1)", "field 'retry_after' must be a non-negative integer (seconds)"},
      {R"("retry_after":18446744073709551615)", "field 'retry_after' is too large"},
      {R"("created":1)", "field 'created' must be a string"},
      {R"("updated":1)", "field 'updated' must be a string"},
      {R"("expires":1)", "field 'expires' must be a string"},
      {R"("registrar":"x")", "field 'registrar' must be an object"},
      {R"("registrar":{"iana_id":1234})", "field 'registrar.iana_id' must be a string"},
      {R"("registrant":[])", "field 'registrant' must be an object"},
      {R"("registrant":{"email":false})", "field 'registrant.email' must be a string"},
      {R"("admin":{"street":[1]})", "field 'admin.street' must be an array of strings"},
      {R"("tech":{"phone":1})", "field 'tech.phone' must be a string"},
      {R"("nameservers":"ns1.example.com")", "field 'nameservers' must be an array of strings"},
      {R"("nameservers":["a",1])", "field 'nameservers' must be an array of strings"},
      {R"("domain_status":{})", "field 'domain_status' must be an array of strings"},
      {R"("dnssec":false)", "field 'dnssec' must be a string"},
      {R"("redacted":"registrant.name")", "field 'redacted' must be an array of strings"},
      {R"("country":1)", "field 'country' must be a string"},
      {R"("country_source":1)", "field 'country_source' must be a string"},
      {R"("source":[])", "field 'source' must be an object"},
      {R"("source":{"protocol":1})", "field 'source.protocol' must be a string"},
      {R"("source":{"servers":"whois.example"})",
       "field 'source.servers' must be an array of strings"},
      {R"("source":{"fetched_at":0})", "field 'source.fetched_at' must be a string"},
  };
  for (const WrongType& c : cases) {
    // The field comes first so that it overrides nothing and is read before any later error.
    std::string json =
        std::string("{") + c.json_field + R"(,"domain":"a.com","status":"fallback"})";
    if (std::string(c.json_field).rfind("\"domain\"", 0) == 0 ||
        std::string(c.json_field).rfind("\"status\"", 0) == 0) {
      json = std::string("{") + c.json_field + R"(,"reason":"timeout"})";
    }
    EXPECT_EQ(ErrorOf(json), c.message) << json;
  }
}

TEST(RecordFromJsonTest, SchemaRules) {
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","retry_after":5})"),
            "field 'retry_after' is only allowed on a fallback record");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","created":"2024-01-31"})"),
            "field 'created' must be an ISO 8601 UTC time like 2024-01-31T12:00:00Z, not "
            "'2024-01-31'");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","source":{"fetched_at":)"
                    R"("2024-13-01T00:00:00Z"}})")
                .find("field 'source.fetched_at' must be"),
            0u);
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","registrant":{"country":"de"}})"),
            "field 'registrant.country' must be an ISO 3166-1 alpha-2 code (two upper-case "
            "letters), not 'de'");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","country_source":"dns"})"),
            "field 'country_source' must be one of registrant, tld, not 'dns'");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","source":{"protocol":"ftp"}})"),
            "field 'source.protocol' must be one of whois, rdap, import, not 'ftp'");
}

// "partial": the registry's data given to a client whose wait ran out before the registrar
// answered (issue 18). Written right after "status", only on a registered record, and read back.
TEST(PartialRecordTest, WrittenReadAndValidated) {
  WhoisRecord r;
  r.domain = "example.com";
  r.status = "registered";
  r.partial = true;
  r.created = "2001-02-03T04:05:06Z";
  const std::string json = ToJson(r);
  EXPECT_EQ(json, R"({"domain":"example.com","status":"registered","partial":true,)"
                  R"("created":"2001-02-03T04:05:06Z"})");
  auto back = RecordFromJson(json);
  ASSERT_TRUE(back.ok()) << ErrorOf(json);
  EXPECT_TRUE(back.value().partial);
  r.partial = false;
  EXPECT_EQ(ToJson(r).find("partial"), std::string::npos);
  r.status = "fallback";
  r.partial = true;
  EXPECT_EQ(ToJson(r).find("partial"), std::string::npos);  // a fallback is never partial
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"not_found","partial":true})"),
            "field 'partial' is only allowed on a registered record");
  EXPECT_EQ(ErrorOf(R"({"domain":"a.com","status":"registered","partial":"yes"})"),
            "field 'partial' must be true or false");
}

TEST(RecordFromJsonTest, DeepNestingIsAnErrorNotACrash) {
  EXPECT_EQ(ErrorOf(std::string(100000, '[')), "record JSON nests deeper than 16 levels");
  std::string closed = std::string(50000, '[') + std::string(50000, ']');
  EXPECT_EQ(ErrorOf(closed), "record JSON nests deeper than 16 levels");
  std::string nested_field = R"({"domain":"a.com","status":"registered","x":)" +
                             std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_EQ(ErrorOf(nested_field), "record JSON nests deeper than 16 levels");
}

TEST(RecordFromJsonTest, HugeInputIsRefused) {
  std::string huge = R"({"domain":"a.com","status":"registered","x":")" +
                     std::string(kMaxRecordJsonBytes, 'a') + "\"}";
  EXPECT_EQ(ErrorOf(huge).find("record JSON is "), 0u);
}

TEST(MakeInvalidRecordTest, SanitisesAndTruncates) {
  WhoisRecord r = MakeInvalidRecord(std::string("bad\r\nname\x01\x7F\xC3\xA4", 13), "not a name");
  EXPECT_EQ(r.status, "invalid");
  EXPECT_EQ(r.reason, "not a name");
  EXPECT_EQ(r.domain, "bad??name????");
  EXPECT_EQ(ToJson(r), R"({"domain":"bad??name????","status":"invalid","reason":"not a name"})");
  EXPECT_EQ(MakeInvalidRecord(std::string(1000, 'a'), "too long").domain.size(),
            kMaxInvalidInputBytes);
}

TEST(FormatIsoUtcTest, Formats) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1795593600000), "2026-11-25T08:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1706702400999), "2024-01-31T12:00:00Z");
  EXPECT_EQ(FormatIsoUtc(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoUtc(INT64_MAX), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIsoUtc(INT64_MIN), "0000-01-01T00:00:00Z");
}

TEST(MakeFallbackRecordTest, SetsCountryFromTldAndRetry) {
  const CountryTable& table = CountryTable::Builtin();
  WhoisRecord r = MakeFallbackRecord("example.de", "", FallbackReason::kRateLimited, 120, 0, table);
  EXPECT_EQ(r.status, "fallback");
  EXPECT_EQ(r.reason, "rate_limited");
  EXPECT_EQ(r.retry_after, 120);
  EXPECT_EQ(r.country, "DE");
  EXPECT_EQ(r.country_source, "tld");
  EXPECT_EQ(r.fetched_at, "1970-01-01T00:00:00Z");
  EXPECT_EQ(ToJson(r), R"({"domain":"example.de","status":"fallback","reason":"rate_limited",)"
                       R"("retry_after":120,"country":"DE","country_source":"tld",)"
                       R"("source":{"fetched_at":"1970-01-01T00:00:00Z"}})");
  // The output is valid input.
  EXPECT_TRUE(RecordFromJson(ToJson(r)).ok());

  WhoisRecord uk =
      MakeFallbackRecord("Example.CO.UK.", "", FallbackReason::kTimeout, std::nullopt, 0, table);
  EXPECT_EQ(uk.country, "GB");
  EXPECT_EQ(uk.retry_after, std::nullopt);

  WhoisRecord com = MakeFallbackRecord("example.com", "", FallbackReason::kNoServer, -5, 0, table);
  EXPECT_EQ(com.country, "");
  EXPECT_EQ(com.country_source, "");
  EXPECT_EQ(com.retry_after, std::nullopt);

  WhoisRecord idn = MakeFallbackRecord("xn--d1acufc.xn--p1ai", "домен.рф",
                                       FallbackReason::kQueueFull, 1, 0, table);
  EXPECT_EQ(idn.country, "RU");
  EXPECT_EQ(idn.unicode, "домен.рф");
}

}  // namespace
}  // namespace whois
