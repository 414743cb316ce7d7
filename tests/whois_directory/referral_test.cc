#include "whois/directory/referral.h"

#include <gtest/gtest.h>

#include "tests/whois_directory/fixture.h"

namespace whois {
namespace {

void ExpectReferral(const std::optional<Referral>& referral, std::string_view host,
                    uint16_t port = 43, bool rwhois = false) {
  ASSERT_TRUE(referral.has_value());
  EXPECT_EQ(referral->host, host);
  EXPECT_EQ(referral->port, port);
  EXPECT_EQ(referral->rwhois, rwhois);
}

void ExpectReferral(const util::StatusOr<Referral>& referral, std::string_view host,
                    uint16_t port = 43, bool rwhois = false) {
  ASSERT_TRUE(referral.ok()) << referral.status().message();
  ExpectReferral(std::optional<Referral>(referral.value()), host, port, rwhois);
}

using Extracted = util::StatusOr<std::optional<Referral>>;

void ExpectReferral(const Extracted& extracted, std::string_view host, uint16_t port = 43,
                    bool rwhois = false) {
  ASSERT_TRUE(extracted.ok()) << extracted.status().message();
  ExpectReferral(*extracted, host, port, rwhois);
}

// What ExtractReferral makes of the reply in fixture file `name`.
Extracted FromFixture(const std::string& name) { return ExtractReferral(ReadFixture(name)); }

// True when the reply names no server at all (not even a rejected one).
bool NamesNone(const Extracted& extracted) { return extracted.ok() && !extracted->has_value(); }

// Why the server the reply names was rejected; empty when nothing was rejected.
std::string Rejection(const Extracted& extracted) {
  if (extracted.ok()) return "";
  EXPECT_EQ(extracted.status().code(), util::StatusCode::kInvalidArgument);
  return extracted.status().message();
}

TEST(ExtractReferral, IanaRefer) {
  ExpectReferral(FromFixture("referrals/iana-refer.txt"), "whois.nic.shop");
}

TEST(ExtractReferral, IanaTldAnswerWhoisLine) {
  ExpectReferral(FromFixture("iana/COM"), "whois.verisign-grs.com");
  const std::string reason = Rejection(FromFixture("iana/AAA"));
  EXPECT_NE(reason.find("whois:"), std::string::npos) << reason;
}

TEST(ExtractReferral, VerisignRegistrarWhoisServer) {
  ExpectReferral(FromFixture("referrals/verisign-registered.txt"), "whois.registrar.example");
  ExpectReferral(FromFixture("referrals/verisign-old-whois-server.txt"),
                 "whois.old-registrar.example");
}

TEST(ExtractReferral, VerisignTakesTheFirstDomainNameRecordOnly) {
  // Name-server records with their registrars' "Whois Server:" lines come first; the domain's
  // own record is last.
  ExpectReferral(FromFixture("referrals/verisign-name-server-records-first.txt"),
                 "whois.registrar.example");
  std::string two_records =
      "   Domain Name: EXAMPLE.COM\n"
      "   Registrar WHOIS Server: whois.first.example\n"
      "\n"
      "   Domain Name: EXAMPLE.COM.EVIL.NET\n"
      "   Registrar WHOIS Server: whois.second.example\n";
  ExpectReferral(ExtractReferral(two_records), "whois.first.example");
  // The first record names none: later records are not consulted.
  std::string first_without =
      "   Domain Name: EXAMPLE.COM\n"
      "   Registrar: Someone\n"
      "\n"
      "   Domain Name: EXAMPLE.COM.EVIL.NET\n"
      "   Registrar WHOIS Server: whois.second.example\n";
  EXPECT_TRUE(NamesNone(ExtractReferral(first_without)));
  // A server line outside any Domain Name record is ignored.
  EXPECT_TRUE(NamesNone(
      ExtractReferral("   Server Name: NS1.EXAMPLE.COM\n   Whois Server: whois.x.com\n")));
}

TEST(ExtractReferral, AfiliasWithoutBlankAfterColon) {
  ExpectReferral(FromFixture("referrals/no-blank-after-colon.txt"), "whois.registrar.bz");
}

TEST(ExtractReferral, MissingOrUnusableRegistrarServer) {
  EXPECT_TRUE(NamesNone(FromFixture("referrals/verisign-no-whois-server.txt")));
  std::string reason = Rejection(FromFixture("referrals/verisign-not-defined.txt"));
  EXPECT_NE(reason.find("not defined"), std::string::npos) << reason;
  reason = Rejection(FromFixture("referrals/empty-registrar-whois-server.txt"));
  EXPECT_NE(reason.find("empty"), std::string::npos) << reason;
}

TEST(ExtractReferral, ArinReferralServer) {
  ExpectReferral(FromFixture("referrals/arin-referral-whois.txt"), "whois.apnic.net");
  ExpectReferral(FromFixture("referrals/arin-referral-whois-port-43.txt"), "whois.ripe.net");
  ExpectReferral(FromFixture("referrals/arin-referral-rwhois.txt"), "rwhois.networks.example", 4321,
                 true);
  EXPECT_TRUE(NamesNone(FromFixture("referrals/arin-no-referral.txt")));
}

TEST(ExtractReferral, ArinTakesTheLastReferralServer) {
  std::string text =
      "NetRange:       4.0.0.0 - 4.255.255.255\n"
      "ReferralServer: whois://whois.ripe.net\n"
      "\n"
      "NetRange:       4.2.0.0 - 4.2.255.255\n"
      "ReferralServer: rwhois://rwhois.level3.net:4321/\n";
  ExpectReferral(ExtractReferral(text), "rwhois.level3.net", 4321, true);
}

TEST(ExtractReferral, RwhoisPercentReferral) {
  ExpectReferral(ExtractReferral("%rwhois V-1.5 master.rwhois.net\n"
                                 "%referral rwhois://master.b.rwhois.net:4321/auth-area=b\n"
                                 "%referral rwhois://rs.internic.net:4321/auth-area=.\n%ok\n"),
                 "master.b.rwhois.net", 4321, true);
  ExpectReferral(ExtractReferral("% referral whois://whois.example.net\n"), "whois.example.net");
  EXPECT_TRUE(NamesNone(ExtractReferral("%referrals are not followed here\n")));
}

TEST(ExtractReferral, CrlfAndCaseInsensitiveKeys) {
  ExpectReferral(ExtractReferral("REFER: WHOIS.NIC.LIVE.\r\n"), "whois.nic.live");
  ExpectReferral(ExtractReferral("domain name: x.com\r\nregistrar whois server: whois.x.com\r\n"),
                 "whois.x.com");
}

TEST(ExtractReferral, NothingNamed) {
  EXPECT_TRUE(NamesNone(ExtractReferral("")));
  EXPECT_TRUE(NamesNone(ExtractReferral("No match for \"EXAMPLE.COM\".\r\n")));
  EXPECT_TRUE(NamesNone(ExtractReferral(std::string("\0\xff\n:::\n%\n", 8))));
}

TEST(ParseReferralValue, AcceptedForms) {
  ExpectReferral(ParseReferralValue("whois.godaddy.com"), "whois.godaddy.com");
  ExpectReferral(ParseReferralValue("  whois.PublicDomainRegistry.com \r"),
                 "whois.publicdomainregistry.com");
  ExpectReferral(ParseReferralValue("whois.godaddy"), "whois.godaddy");  // a real TLD
  ExpectReferral(ParseReferralValue("whois.example.com."), "whois.example.com");
  ExpectReferral(ParseReferralValue("whois://whois.x.com:4343/"), "whois.x.com", 4343);
  ExpectReferral(ParseReferralValue("WHOIS://whois.ripe.net:43"), "whois.ripe.net");
  ExpectReferral(ParseReferralValue("whois.example.com/whois"), "whois.example.com");
  ExpectReferral(ParseReferralValue("whois.example.com:4343"), "whois.example.com", 4343);
  ExpectReferral(ParseReferralValue("rwhois://rwhois.servernap.net:4321"), "rwhois.servernap.net",
                 4321, true);
  ExpectReferral(ParseReferralValue("xn--80ak6aa92e.com"), "xn--80ak6aa92e.com");
}

TEST(ParseReferralValue, HostilePathIsDropped) {
  ExpectReferral(ParseReferralValue("whois.example.com/../x"), "whois.example.com");
}

TEST(ParseReferralValue, RejectedForms) {
  for (std::string_view bad : {
           "",
           "   ",
           "GoDaddy",                       // no dot: a name, not a host
           "not defined",                   // Verisign's placeholder
           "http://www.godaddy.com/whois",  // a web form
           "https://whois.example.com",     // likewise
           "ftp://whois.example.com",       // unknown scheme
           "whois.example.com\r\nQUIT",     // CR/LF inside
           "whois.exa mple.com",            // blank inside
           "whois.example.com\tfoo",        // tab inside
           "127.0.0.1",                     // IPv4 literal
           "whois://127.0.0.1:43",          // likewise behind a scheme
           "[::1]",                         // IPv6 literal
           "::1",                           // likewise
           "user@whois.example.com",        // user information
           "whois.example.com:0",           // port 0
           "whois.example.com:65536",       // port too big
           "whois.example.com:",            // empty port
           "whois.example.com:43a",         // garbage port
           "whois..example.com",            // empty label
           ".whois.example.com",            // empty first label
           "-whois.example.com",            // leading hyphen
           "whois-.example.com",            // trailing hyphen
           "whois_srv.example.com",         // underscore is not LDH
           "whois.example.123",             // numeric TLD
           "wh\xc3\xb6is.example.com",      // non-ASCII (U-label)
           "whois://",                      // scheme only
           "/whois.example.com",            // path only
       }) {
    auto parsed = ParseReferralValue(bad);
    EXPECT_TRUE(parsed.status().IsInvalidArgument()) << bad;
    EXPECT_FALSE(parsed.status().message().empty()) << bad;
  }
}

TEST(ParseReferralValue, LengthLimits) {
  std::string label63(63, 'a');
  std::string label64(64, 'a');
  ExpectReferral(ParseReferralValue(label63 + ".example.com"), label63 + ".example.com");
  EXPECT_FALSE(ParseReferralValue(label64 + ".example.com").ok());
  std::string long_host;  // 4 * 64 = 256 > 253
  for (int i = 0; i < 4; ++i) long_host += std::string(63, 'a') + ".";
  long_host += "com";
  EXPECT_FALSE(ParseReferralValue(long_host).ok());
  EXPECT_FALSE(ParseReferralValue(std::string(300, 'a') + ".com").ok());
  std::string reason;
  EXPECT_TRUE(Fails(ParseReferralValue(std::string(600, 'a')), &reason));
  EXPECT_NE(reason.find("too long"), std::string::npos) << reason;
}

TEST(ParseReferralValue, ReasonsAreSafeToLog) {
  std::string reason;
  EXPECT_TRUE(Fails(ParseReferralValue("http://evil\x1b[31m.example/"), &reason));
  for (char c : reason) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << reason;
  EXPECT_TRUE(Fails(ParseReferralValue("http://evil"), &reason));
  EXPECT_NE(reason.find("web page"), std::string::npos) << reason;
}

TEST(IsValidServerHostName, Basics) {
  for (const char* ok : {"whois.nic.uk", "WHOIS.NIC.UK"}) {
    EXPECT_TRUE(IsValidServerHostName(ok)) << ok;
  }
  for (const char* bad : {"whois.nic.uk.", "localhost", "10.0.0.1"}) {
    EXPECT_FALSE(IsValidServerHostName(bad)) << bad;
  }
}

}  // namespace
TEST(ReferralPortTest, AnotherPortIsHonouredOnlyForPinnedHosts) {
  Referral r{"whois.registrar.example", 4343, false};
  util::Status why = CheckReferralPort(r, false);
  ASSERT_FALSE(why.ok());
  EXPECT_EQ(why.message(),
            "referral to whois.registrar.example:4343 not followed: a port other than 43 is used "
            "only for hosts pinned with upstream-address");
  EXPECT_TRUE(CheckReferralPort(r, true).ok());
  r.port = kWhoisPort;
  EXPECT_TRUE(CheckReferralPort(r, false).ok());
}

}  // namespace whois
