#include "whois/directory/tld_directory.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "tests/whois_directory/fixture.h"
#include "whois/directory/query_format.h"

namespace whois {
namespace {

// True when `result` is an error; its message goes to *why.
template <typename Result>
bool Fails(const Result& result, std::string* why) {
  if constexpr (std::is_same_v<Result, util::Status>) {
    *why = result.message();
  } else {
    *why = result.status().message();
  }
  return !result.ok();
}

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

ServerEntry Entry(std::string tld, std::string host, ServerEntry::Origin origin,
                  int64_t learned_at_ms = 0, std::string format = "") {
  ServerEntry entry;
  entry.tld = std::move(tld);
  entry.host = std::move(host);
  entry.origin = origin;
  entry.learned_at_ms = learned_at_ms;
  entry.query_format = std::move(format);
  return entry;
}

TEST(TldDirectoryBundled, KnowsTheRootZone) {
  TldDirectory directory = TldDirectory::Bundled();
  EXPECT_GE(directory.size(), 1400u);
  struct {
    const char* tld;
    const char* host;
  } expected[] = {{"com", "whois.verisign-grs.com"},
                  {"de", "whois.denic.de"},
                  {"uk", "whois.nic.uk"},
                  {"jp", "whois.jprs.jp"},
                  {"dk", "whois.punktum.dk"},
                  {"xn--p1ai", "whois.tcinet.ru"}};
  for (const auto& [tld, host] : expected) {
    const ServerEntry* entry = directory.Find(tld);
    ASSERT_NE(entry, nullptr) << tld;
    EXPECT_EQ(entry->host, host);
    EXPECT_EQ(entry->tld, tld);
    EXPECT_EQ(entry->origin, ServerEntry::Origin::kBundled);
    EXPECT_EQ(entry->learned_at_ms, TldDirectory::BundledSnapshotMs());
    EXPECT_EQ(entry->query_format, "");
  }
}

TEST(TldDirectoryBundled, TldWithoutPort43ServiceHasEmptyHost) {
  TldDirectory directory = TldDirectory::Bundled();
  const ServerEntry* aaa = directory.Find("aaa");
  ASSERT_NE(aaa, nullptr);
  EXPECT_EQ(aaa->host, "");
}

TEST(TldDirectoryBundled, FindIgnoresCaseAndLeadingDot) {
  TldDirectory directory = TldDirectory::Bundled();
  ASSERT_NE(directory.Find("COM"), nullptr);
  EXPECT_EQ(directory.Find(".com"), directory.Find("com"));
  EXPECT_EQ(directory.Find("no-such-tld"), nullptr);
  EXPECT_EQ(directory.Find(""), nullptr);
}

TEST(TldDirectoryBundled, EveryEntryIsValidAndRoundTrips) {
  TldDirectory directory = TldDirectory::Bundled();
  size_t without_host = 0;
  directory.ForEach([&](const ServerEntry& entry) {
    EXPECT_TRUE(CheckServerEntry(entry).ok()) << entry.tld;
    EXPECT_EQ(DecodeEntry(EncodeEntry(entry)), entry) << entry.tld;
    if (entry.host.empty()) ++without_host;
  });
  EXPECT_GT(without_host, 100u);
}

TEST(TldDirectory, EmptyHasNothing) {
  TldDirectory directory = TldDirectory::Empty();
  EXPECT_EQ(directory.size(), 0u);
  EXPECT_EQ(directory.Find("com"), nullptr);
}

TEST(TldDirectory, SetLearnedReplacesBundled) {
  TldDirectory directory = TldDirectory::Bundled();
  ASSERT_TRUE(
      directory.Set(Entry("COM", "Whois.Example.NET.", ServerEntry::Origin::kIana, 5)).ok());
  const ServerEntry* entry = directory.Find("com");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->host, "whois.example.net");
  EXPECT_EQ(entry->origin, ServerEntry::Origin::kIana);
  EXPECT_EQ(entry->learned_at_ms, 5);
}

TEST(TldDirectory, OverrideIsNeverReplacedByLearnedEntry) {
  TldDirectory directory = TldDirectory::Bundled();
  ASSERT_TRUE(
      directory
          .Set(Entry("de", "whois.test.example", ServerEntry::Origin::kOverride, 1, "domain %s"))
          .ok());
  std::string why;
  EXPECT_TRUE(
      Fails(directory.Set(Entry("de", "whois.denic.de", ServerEntry::Origin::kIana, 2)), &why));
  EXPECT_NE(why.find("override"), std::string::npos) << why;
  EXPECT_FALSE(directory.Set(Entry("de", "whois.denic.de", ServerEntry::Origin::kBundled, 2)).ok());
  EXPECT_EQ(directory.Find("de")->host, "whois.test.example");
  EXPECT_EQ(directory.Find("de")->query_format, "domain %s");

  // A newer override replaces the old one; erasing it lets learned entries in again.
  ASSERT_TRUE(
      directory.Set(Entry("de", "whois2.test.example", ServerEntry::Origin::kOverride)).ok());
  EXPECT_EQ(directory.Find("de")->host, "whois2.test.example");
  EXPECT_TRUE(directory.Erase("de"));
  EXPECT_FALSE(directory.Erase("de"));
  EXPECT_EQ(directory.Find("de"), nullptr);
  EXPECT_TRUE(directory.Set(Entry("de", "whois.denic.de", ServerEntry::Origin::kIana, 3)).ok());
}

TEST(TldDirectory, OverrideMayNameAnAddressAndPort) {
  TldDirectory directory = TldDirectory::Empty();
  ServerEntry entry = Entry("test", "127.0.0.1", ServerEntry::Origin::kOverride);
  entry.port = 4343;
  ASSERT_TRUE(directory.Set(entry).ok());
  EXPECT_EQ(directory.Find("test")->port, 4343);
  EXPECT_TRUE(directory.Set(Entry("test6", "::1", ServerEntry::Origin::kOverride)).ok());
  // A learned entry may not: it came from untrusted text.
  std::string why;
  EXPECT_TRUE(Fails(directory.Set(Entry("other", "127.0.0.1", ServerEntry::Origin::kIana)), &why));
  EXPECT_NE(why.find("127.0.0.1"), std::string::npos) << why;
}

TEST(TldDirectory, SetRejectsInvalidEntries) {
  TldDirectory directory = TldDirectory::Empty();
  std::string why;
  EXPECT_TRUE(Fails(directory.Set(Entry("", "whois.nic.xx", ServerEntry::Origin::kIana)), &why));
  EXPECT_TRUE(
      Fails(directory.Set(Entry("co.uk", "whois.nic.uk", ServerEntry::Origin::kIana)), &why));
  EXPECT_TRUE(Fails(directory.Set(Entry("xx", "whois nic", ServerEntry::Origin::kIana)), &why));
  EXPECT_TRUE(Fails(directory.Set(Entry("xx", "localhost", ServerEntry::Origin::kIana)), &why));
  EXPECT_TRUE(Fails(
      directory.Set(Entry("xx", "whois.nic.xx", ServerEntry::Origin::kOverride, 0, "%s\r\nfoo %s")),
      &why));
  EXPECT_NE(why.find("query format"), std::string::npos) << why;
  ServerEntry zero_port = Entry("xx", "whois.nic.xx", ServerEntry::Origin::kIana);
  zero_port.port = 0;
  EXPECT_TRUE(Fails(directory.Set(zero_port), &why));
  EXPECT_EQ(directory.size(), 0u);
  // No host is valid: the TLD has no port-43 service.
  EXPECT_TRUE(directory.Set(Entry("xx", "", ServerEntry::Origin::kIana)).ok());
}

TEST(TldDirectory, NeedsRefreshUsesTheGivenTime) {
  TldDirectory directory = TldDirectory::Empty();
  const int64_t now = 1'800'000'000'000;
  EXPECT_TRUE(directory.NeedsRefresh("com", now, 30 * kDayMs));  // missing

  EXPECT_TRUE(
      directory
          .Set(Entry("com", "whois.verisign-grs.com", ServerEntry::Origin::kIana, now - kDayMs))
          .ok());
  EXPECT_FALSE(directory.NeedsRefresh("com", now, 30 * kDayMs));
  EXPECT_FALSE(directory.NeedsRefresh("com", now + 29 * kDayMs - 1, 30 * kDayMs));
  EXPECT_TRUE(directory.NeedsRefresh("com", now + 29 * kDayMs, 30 * kDayMs));

  EXPECT_TRUE(
      directory.Set(Entry("com", "whois.example.net", ServerEntry::Origin::kOverride, 0)).ok());
  EXPECT_FALSE(directory.NeedsRefresh("com", now + 1000 * kDayMs, 30 * kDayMs));

  // The bundled snapshot is old: a TLD from it is refreshed when first used.
  TldDirectory bundled = TldDirectory::Bundled();
  EXPECT_TRUE(bundled.NeedsRefresh("de", now, 30 * kDayMs));
  EXPECT_FALSE(bundled.NeedsRefresh("de", TldDirectory::BundledSnapshotMs() + kDayMs, 30 * kDayMs));
}

TEST(EntryEncoding, RoundTrips) {
  ServerEntry entry = Entry("de", "whois.denic.de", ServerEntry::Origin::kOverride,
                            1'732'233'600'123, "-T dn,ace %s");
  entry.port = 4343;
  std::string encoded = EncodeEntry(entry);
  EXPECT_EQ(encoded, "wd1\tde\twhois.denic.de\t4343\toverride\t1732233600123\t-T dn,ace %s");
  EXPECT_EQ(DecodeEntry(encoded), entry);

  ServerEntry no_server = Entry("aaa", "", ServerEntry::Origin::kIana, -5);
  EXPECT_EQ(DecodeEntry(EncodeEntry(no_server)), no_server);
}

TEST(EntryEncoding, GarbageIsRejected) {
  for (std::string_view bad : {
           "", "garbage", "wd1", "wd2\tcom\twhois.verisign-grs.com\t43\tiana\t1\t",
           "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t1",         // six fields
           "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t1\t\t",     // eight fields
           "wd1\tcom\twhois.verisign-grs.com\t43\tlearned\t1\t",    // unknown origin
           "wd1\tcom\twhois.verisign-grs.com\t0\tiana\t1\t",        // port 0
           "wd1\tcom\twhois.verisign-grs.com\t70000\tiana\t1\t",    // port too big
           "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t12x\t",     // bad time
           "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t\t",        // no time
           "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t1\t%s %s",  // bad format
           "wd1\tCOM\twhois.verisign-grs.com\t43\tiana\t1\t",       // not as written
           "wd1\tcom\twhois..com\t43\tiana\t1\t",                   // bad host
           "wd1\tcom\t10.0.0.1\t43\tiana\t1\t",                     // literal, not override
           "wd1\tc\x01m\twhois.verisign-grs.com\t43\tiana\t1\t",    // bad tld
       }) {
    EXPECT_EQ(DecodeEntry(bad), std::nullopt) << bad;
  }
}

TEST(ParseIanaTldAnswer, AnswersInIanasLayout) {
  struct Case {
    const char* tld;
    const char* fixture;
    const char* host;
  };
  for (const Case& c : {
           Case{"com", "iana/COM", "whois.verisign-grs.com"},
           Case{"de", "iana/DE", "whois.denic.de"},
           Case{"jp", "iana/JP", "whois.jprs.jp"},
           // Empty whois: line: the TLD has no port-43 service.
           Case{"aaa", "iana/AAA", ""},
           // IANA prints the IDN TLD as a U-label ("domain: рф").
           Case{"xn--p1ai", "iana/XN--P1AI", "whois.tcinet.ru"},
       }) {
    SCOPED_TRACE(c.tld);
    auto answer = ParseIanaTldAnswer(c.tld, ReadFixture(c.fixture));
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->host, c.host);
  }
}

TEST(ParseIanaTldAnswer, PunycodeOfOtherIdnTlds) {
  // RFC 3492 section 7.1 style checks through the public function.
  auto answer = [](std::string_view ulabel) {
    return "domain:       " + std::string(ulabel) + "\n\nwhois:        whois.nic.example\n";
  };
  EXPECT_TRUE(ParseIanaTldAnswer("xn--mnchen-3ya", answer("münchen")).ok());
  EXPECT_TRUE(ParseIanaTldAnswer("xn--fiqs8s", answer("中国")).ok());
  EXPECT_TRUE(ParseIanaTldAnswer("xn--90ais", answer("бел")).ok());
  EXPECT_FALSE(ParseIanaTldAnswer("xn--p1ai", answer("бел")).ok());
  EXPECT_FALSE(ParseIanaTldAnswer("xn--p1ai", answer("\xff\xfe")).ok());
}

TEST(ParseIanaTldAnswer, RejectsOtherTextsAndAnswers) {
  std::string why;
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("de", ReadFixture("iana/COM")), &why));
  EXPECT_NE(why.find("COM"), std::string::npos) << why;
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("com", ""), &why));
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("zz",
                                       "% IANA WHOIS server\n% for more information on IANA, visit "
                                       "http://www.iana.org\n% This query returned 0 objects.\n"),
                    &why));
  EXPECT_NE(why.find("no domain: line"), std::string::npos) << why;
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("com", "Query rate limit exceeded\n"), &why));
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("com", std::string("\0\x01\xff garbage:\n", 14)), &why));
  // A whois: value that is not a host name is not silently taken as "no server".
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("xx", "domain: XX\nwhois: http://evil.example/\n"), &why));
  EXPECT_TRUE(Fails(ParseIanaTldAnswer("xx", "domain: XX\nwhois: 127.0.0.1\n"), &why));
  EXPECT_NE(why.find("unusable"), std::string::npos) << why;
}

}  // namespace
}  // namespace whois
