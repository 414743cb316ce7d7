#include "whois/rdap/bootstrap.h"

#include <gtest/gtest.h>

#include "whois/rdap/rdap_url.h"

namespace whois::rdap {
namespace {

RdapBootstrap MustParse(std::string_view json) {
  auto parsed = RdapBootstrap::Parse(json);
  EXPECT_TRUE(parsed.ok()) << (!parsed.ok() ? parsed.status().message() : "");
  return parsed.ok() ? parsed.value() : RdapBootstrap();
}

std::string ParseError(std::string_view json) {
  auto parsed = RdapBootstrap::Parse(json);
  return !parsed.ok() ? parsed.status().message() : "";
}

TEST(BootstrapTest, BundledKnowsWellKnownTlds) {
  const RdapBootstrap& b = RdapBootstrap::Bundled();
  EXPECT_EQ(b.publication(), "2026-03-23T19:00:02Z");
  EXPECT_GT(b.size(), 1100u);
  EXPECT_EQ(b.skipped(), 0u);
  EXPECT_EQ(b.BaseUrl("com"), "https://rdap.verisign.com/com/v1/");
  EXPECT_EQ(b.BaseUrl("net"), "https://rdap.verisign.com/net/v1/");
  EXPECT_EQ(b.BaseUrl("COM."), "https://rdap.verisign.com/com/v1/");
  EXPECT_EQ(b.BaseUrl("www.Example.com"), "https://rdap.verisign.com/com/v1/");
  EXPECT_EQ(b.BaseUrl("kg"), "http://rdap.cctld.kg/");  // http-only entries are kept
  EXPECT_EQ(b.Find("no-such-tld-zz"), nullptr);
  EXPECT_EQ(b.Find(""), nullptr);
  for (const auto& [tld, entry] : b.entries()) {
    ASSERT_FALSE(entry.urls.empty()) << tld;
    EXPECT_EQ(entry.urls.front().back(), '/') << tld;
  }
}

TEST(BootstrapTest, PrefersHttpsAndAddsTrailingSlash) {
  RdapBootstrap b = MustParse(R"({"publication":"2025-01-01T00:00:00Z","services":[
      [["Example","test"],["http://rdap.example/v1","https://rdap.example/v1"]],
      [["co.example"],["https://co.rdap.example/"]]]})");
  ASSERT_NE(b.Find("example"), nullptr);
  EXPECT_EQ(b.Find("example")->urls,
            (std::vector<std::string>{"https://rdap.example/v1/", "http://rdap.example/v1/"}));
  EXPECT_EQ(b.BaseUrl("test"), "https://rdap.example/v1/");
  // Longest label match (RFC 9224 §4).
  EXPECT_EQ(b.BaseUrl("a.co.example"), "https://co.rdap.example/");
  EXPECT_EQ(b.BaseUrl("a.b.example"), "https://rdap.example/v1/");
}

TEST(BootstrapTest, RefusesGarbage) {
  EXPECT_NE(ParseError(""), "");
  EXPECT_NE(ParseError("not json"), "");
  EXPECT_NE(ParseError("[1,2,3]"), "");
  EXPECT_NE(ParseError(R"({"services": 5})"), "");
  EXPECT_NE(ParseError(R"({"services": []})"), "");
  EXPECT_NE(ParseError(R"({"services": [[["com"]]]})"), "");
  EXPECT_NE(ParseError(R"({"services": [[["com"], ["ftp://x/"]]]})"), "");
  EXPECT_NE(ParseError(std::string(kMaxBootstrapBytes + 1, ' ')), "");
}

TEST(BootstrapTest, SkipsBadRowsInAUsableDocument) {
  RdapBootstrap b = MustParse(R"json({"services":[
      [["good"],["https://rdap.good/"]],
      [["creds"],["https://user:pw@rdap.bad/"]],
      [["bad label!", 7, "ok2"],["https://rdap.ok/"]],
      "junk",
      [["mixed"],["javascript:alert(1)", "https://rdap.mixed/"]]]})json");
  EXPECT_EQ(b.BaseUrl("good"), "https://rdap.good/");
  EXPECT_EQ(b.Find("creds"), nullptr);
  EXPECT_EQ(b.BaseUrl("ok2"), "https://rdap.ok/");
  EXPECT_EQ(b.Find("mixed")->urls, std::vector<std::string>{"https://rdap.mixed/"});
  EXPECT_EQ(b.skipped(), 4u);  // creds row, "bad label!", 7, "junk"
}

TEST(BootstrapTest, OverridesAllowHttpAndSurviveRefresh) {
  RdapBootstrap b = MustParse(R"({"services":[[["com"],["https://rdap.verisign.com/com/v1/"]]]})");
  EXPECT_TRUE(b.Set("COM", "http://127.0.0.1:8080/rdap").ok());
  EXPECT_EQ(b.BaseUrl("example.com"), "http://127.0.0.1:8080/rdap/");
  EXPECT_TRUE(b.Find("com")->is_override);
  EXPECT_TRUE(b.Set("bad label!", "https://x/").IsInvalidArgument());
  EXPECT_TRUE(b.Set("net", "ftp://x/").IsInvalidArgument());
  EXPECT_TRUE(b.Set("net", "https://u:p@x/").IsInvalidArgument());

  RdapBootstrap fresh = MustParse(R"({"services":[[["com","net"],["https://new.example/"]]]})");
  fresh.KeepOverridesFrom(b);
  EXPECT_EQ(fresh.BaseUrl("com"), "http://127.0.0.1:8080/rdap/");
  EXPECT_EQ(fresh.BaseUrl("net"), "https://new.example/");
  EXPECT_TRUE(fresh.Erase("com"));
  EXPECT_FALSE(fresh.Erase("com"));
}

TEST(BootstrapTest, EncodeDecodeRoundTripsWithoutOverrides) {
  RdapBootstrap b = RdapBootstrap::Bundled();
  ASSERT_TRUE(b.Set("example", "http://127.0.0.1:1/").ok());
  std::string stored = b.Encode();
  ASSERT_TRUE(stored.starts_with(kBootstrapEncodingV1));
  auto decoded = RdapBootstrap::Decode(stored);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const RdapBootstrap& d = decoded.value();
  EXPECT_EQ(d.entries(), RdapBootstrap::Bundled().entries());
  EXPECT_EQ(d.publication(), b.publication());
  EXPECT_EQ(d.Find("example"), nullptr);

  EXPECT_TRUE(!RdapBootstrap::Decode("").ok());
  EXPECT_TRUE(RdapBootstrap::Decode("rdap-bootstrap/9\n{}").status().IsCorruption());
  EXPECT_FALSE(RdapBootstrap::Decode(std::string(kBootstrapEncodingV1) + "{garbage").ok());
}

TEST(RdapUrlTest, AcceptsAndRefuses) {
  auto ok = ParseRdapUrl("HTTPS://RDAP.Example.com:8443/v1/domain/x?y=1#frag");
  ASSERT_TRUE(ok.ok());
  const RdapUrl& u = ok.value();
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "rdap.example.com");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/v1/domain/x?y=1");
  auto v6 = ParseRdapUrl("http://[::1]:80/");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6.value().host_is_ip_literal);
  EXPECT_TRUE(IsLoopbackLiteral(v6.value().host));
  EXPECT_TRUE(IsLoopbackLiteral("127.3.2.1"));
  EXPECT_FALSE(IsLoopbackLiteral("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackLiteral("localhost"));
  for (const char* bad :
       {"", "rdap.example.com/", "ftp://x/", "javascript:alert(1)", "https://user:pw@x/",
        "https://x y/", "https:///path", "https://x:0/", "https://x:99999/", "https://[::1/",
        "https://ex\xc3\xa4mple/", "file:///etc/passwd"}) {
    EXPECT_TRUE(!ParseRdapUrl(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseRdapUrl("https://x/" + std::string(kMaxRdapUrlBytes, 'a')).ok());
}

TEST(RdapUrlTest, DomainQueryUrl) {
  EXPECT_EQ(DomainQueryUrl("https://rdap.verisign.com/com/v1/", "example.com"),
            "https://rdap.verisign.com/com/v1/domain/example.com");
  EXPECT_EQ(DomainQueryUrl("https://rdap.example/v1", "a.example"),
            "https://rdap.example/v1/domain/a.example");
}

}  // namespace
}  // namespace whois::rdap
