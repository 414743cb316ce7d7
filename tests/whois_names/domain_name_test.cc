#include "whois/names/domain_name.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace whois {
namespace {

class DomainNormalizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto opened = DomainNormalizer::Open(WP_PSL_FILE);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    names_ = std::move(opened).value().release();
  }
  static void TearDownTestSuite() {
    delete names_;
    names_ = nullptr;
  }

  // The domain for `input`, or "ERROR: <reason>".
  static std::string DomainOf(std::string_view input) {
    auto result = names_->Normalize(input);
    if (result.ok()) return result->domain;
    return "ERROR: " + result.status().message();
  }

  static DomainName MustNormalize(std::string_view input) {
    auto result = names_->Normalize(input);
    if (!result.ok()) {
      ADD_FAILURE() << "'" << input << "': " << result.status().message();
      return {};
    }
    return std::move(result).value();
  }

  static inline DomainNormalizer* names_ = nullptr;
};

struct Spelling {
  std::string input;
  std::string domain;
};

TEST_F(DomainNormalizerTest, EverySpellingGivesTheRegistrableDomain) {
  const std::vector<Spelling> cases = {
      {"example.com", "example.com"},
      {"EXAMPLE.COM.", "example.com"},
      {"Example.Com", "example.com"},
      {"www.bbc.co.uk", "bbc.co.uk"},
      {"a.b.c.bbc.co.uk", "bbc.co.uk"},
      {"https://user:pw@www.example.com:8443/path?q#f", "example.com"},
      {"http://example.com", "example.com"},
      {"HTTPS://WWW.EXAMPLE.COM/", "example.com"},
      {"http://example.com.", "example.com"},
      {"http://example.com?x=1", "example.com"},
      {"http://example.com#top", "example.com"},
      {"http://example.com\\path", "example.com"},
      {"//example.com/x", "example.com"},
      {"//user@example.com", "example.com"},
      {"example.com/path", "example.com"},
      {"example.com:80", "example.com"},
      {"example.com:", "example.com"},
      {"example.com.:443/x", "example.com"},
      {"example.com?q", "example.com"},
      {"exa%6Dple.com", "example.com"},
      {"http://www.ex%41mple.com/", "example.com"},
      {"b\xC3\xBC"
       "cher.de",
       "xn--bcher-kva.de"},  // bücher.de
      {"B\xC3\x9C"
       "CHER.DE",
       "xn--bcher-kva.de"},  // BÜCHER.DE
      {"www.b\xC3\xBC"
       "cher.de",
       "xn--bcher-kva.de"},
      {"b%C3%BCcher.de", "xn--bcher-kva.de"},
      {"https://b\xC3\xBC"
       "cher.de/x",
       "xn--bcher-kva.de"},
      {"xn--bcher-kva.de", "xn--bcher-kva.de"},
      {"XN--BCHER-KVA.DE", "xn--bcher-kva.de"},
      {"xn--Bcher-kva.de", "xn--bcher-kva.de"},
      {"\xE4\xBE\x8B\xE3\x81\x88.jp", "xn--r8jz45g.jp"},             // 例え.jp
      {"\xE4\xBE\x8B\xE3\x81\x88\xE3\x80\x82jp", "xn--r8jz45g.jp"},  // 例え。jp
      {"www\xEF\xBC\x8E"
       "example\xEF\xBD\xA1"
       "com",
       "example.com"},                             // full-width, halfwidth
      {"example.com\xE3\x80\x82", "example.com"},  // trailing 。
      {"\xEF\xBD\x85xample.com", "example.com"},   // full-width e
      {"fa\xC3\x9F.de", "xn--fa-hia.de"},          // faß.de, non-transitional
      {"\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84",
       "xn--e1afmkfd.xn--p1ai"},  // пример.рф
      {"foo.github.io", "github.io"},
      {"github.io", "github.io"},
      {"foo.blogspot.com", "blogspot.com"},
      {"a.b.unknowntld", "b.unknowntld"},
      {"www.city.kawasaki.jp", "city.kawasaki.jp"},
      {"www.example.kawasaki.jp", "www.example.kawasaki.jp"},  // *.kawasaki.jp
      {"r3---sn-abc.googlevideo.com", "googlevideo.com"},
      {"a-b.example.com", "example.com"},
      {"123.example.com", "example.com"},
  };
  for (const Spelling& c : cases) {
    EXPECT_EQ(DomainOf(c.input), c.domain) << "input: " << c.input;
  }
}

TEST_F(DomainNormalizerTest, FillsUnicodeTldAndHost) {
  DomainName n = MustNormalize(
      "https://www.B\xC3\xBC"
      "cher.de/path");
  EXPECT_EQ(n.domain, "xn--bcher-kva.de");
  EXPECT_EQ(n.unicode,
            "b\xC3\xBC"
            "cher.de");
  EXPECT_EQ(n.tld, "de");
  EXPECT_EQ(n.host, "www.xn--bcher-kva.de");

  n = MustNormalize("WWW.EXAMPLE.CO.UK.");
  EXPECT_EQ(n.domain, "example.co.uk");
  EXPECT_EQ(n.unicode, "");
  EXPECT_EQ(n.tld, "uk");
  EXPECT_EQ(n.host, "www.example.co.uk");

  n = MustNormalize("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84");
  EXPECT_EQ(n.tld, "xn--p1ai");
  EXPECT_EQ(n.unicode, "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84");

  n = MustNormalize("xn--r8jz45g.jp");
  EXPECT_EQ(n.unicode, "\xE4\xBE\x8B\xE3\x81\x88.jp");
  EXPECT_EQ(n.tld, "jp");
}

TEST_F(DomainNormalizerTest, NormalisedDomainsAreFixedPoints) {
  const std::vector<std::string> domains = {
      "example.com",   "bbc.co.uk",       "xn--bcher-kva.de",      "xn--r8jz45g.jp",
      "github.io",     "blogspot.com",    "b.unknowntld",          "city.kawasaki.jp",
      "xn--fa-hia.de", "googlevideo.com", "xn--e1afmkfd.xn--p1ai", "www.example.kawasaki.jp",
  };
  for (const std::string& d : domains) {
    DomainName n = MustNormalize(d);
    EXPECT_EQ(n.domain, d);
    EXPECT_EQ(n.host, d);
    // And the output of any spelling is a fixed point too.
    EXPECT_EQ(DomainOf(DomainOf("https://WWW." + d + ".:8080/x")), d);
  }
}

struct Invalid {
  std::string input;
  std::string reason_mentions;
};

TEST_F(DomainNormalizerTest, InvalidInputsSayWhy) {
  const std::string long_label(64, 'a');
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a' + i) + ".";
  long_name += "com";
  const std::vector<Invalid> cases = {
      {"", "empty"},
      {".", "empty"},
      {"a..com", "empty label"},
      {".com", "empty label"},
      {"example.com..", "empty label"},
      {long_label + ".com", "63 octets"},
      {long_name, "253 octets"},
      {std::string(3000, 'a'), "2048 bytes"},
      {"exa mple.com", "space"},
      {" example.com", "space"},
      {"example.com ", "space"},
      {"a_b.example.com", "'_'"},
      {"example.com\r\nSET x y", "control character 0x0D"},
      {std::string("exa\0mple.com", 12), "control character 0x00"},
      {"ex\tample.com", "control character 0x09"},
      {"user@example.com", "'@'"},
      {"-example.com", "hyphen"},
      {"example-.com", "hyphen"},
      {"www.-x.example.com", "hyphen"},
      {"com", "public suffix"},
      {"co.uk", "public suffix"},
      {"COM.", "public suffix"},
      {"localhost", "single label"},
      {"1.2.3.4", "IP addresses are not supported"},
      // Found by fuzzing: A-labels libidn2 accepts whose U-label IDNA2008 maps elsewhere.
      {"xn--bkk1kkckxk.com", "does not decode to a valid IDNA2008 label"},
      {"WWW.xn--k2k2-p8a8385E.com", "does not decode to a valid IDNA2008 label"},
      {"http://10.0.0.1/", "IP addresses are not supported"},
      {"[::1]", "IP addresses are not supported"},
      {"http://[2001:db8::1]:80/", "IP addresses are not supported"},
      {"::1", "IP addresses are not supported"},
      {"fe80::1", "IP addresses are not supported"},
      {"0x7f.1", "IP addresses are not supported"},
      {"\xEF\xBC\x91.\xEF\xBC\x92.\xEF\xBC\x93.\xEF\xBC\x94", "IP addresses"},  // full-width
      {"ftp://example.com/", "scheme 'ftp' is not supported"},
      {"mailto:someone@example.com", "scheme 'mailto' is not supported"},
      {"http:example.com", "no host"},
      {"http://", "no host"},
      {"https:///path", "no host"},
      {"http://user@/x", "no host"},
      {"http://:80/", "no host"},
      {"example.com:99999", "invalid port"},
      {"example.com:8o", "invalid port"},
      {"example%zz.com", "percent-encoding"},
      {"example.com%", "percent-encoding"},
      {"example%20.com", "space"},
      {"exam%0d%0aple.com", "control character 0x0D"},
      {"ex%2541mple.com", "'%'"},  // no double decoding
      {"ex\xC3(ample.com", "UTF-8"},
      {"\xED\xA0\x80.com", "UTF-8"},  // surrogate
      {"xn--zz.com", "punycode"},
      {"a\xE2\x80\x8D"
       "b.com",
       "context"},  // ZWJ: no transitional fallback
      {"\xEF\xBC\xBF"
       "a.example.com",
       "'_'"},  // full-width low line maps to '_'
      {"a\xEF\xBC\x8F"
       "b.example.com",
       "'/'"},  // full-width solidus maps to '/'
      {"/path", "empty name"},
  };
  for (const Invalid& c : cases) {
    auto result = names_->Normalize(c.input);
    ASSERT_FALSE(result.ok()) << "accepted: " << c.input << " as " << result->domain;
    EXPECT_TRUE(result.status().IsInvalidArgument());
    const std::string& reason = result.status().message();
    EXPECT_NE(reason.find(c.reason_mentions), std::string::npos)
        << "input: " << c.input << "\nreason: " << reason;
    for (char ch : reason) {
      EXPECT_TRUE(static_cast<unsigned char>(ch) >= 0x20) << "control byte in: " << reason;
    }
  }
}

// Random input: half arbitrary bytes, half host-shaped strings (URL prefix, labels drawn from a
// mostly valid alphabet, a real suffix) with the occasional random byte, so that many get
// through and the output check means something.
std::string RandomInput(std::mt19937& rng) {
  static constexpr char kAlphabet[] =
      "abcdeXYZ0189---..:/@%[]?#_ \r\n\t\x00\x7F\xC3\xBC\xE3\x80\x82\xEF\xBC\x8E\xFF";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  auto random_byte = [&] { return static_cast<char>(rng() & 0xFF); };
  std::string input;
  if (rng() % 2 == 0) {
    size_t len = rng() % 48;
    for (size_t j = 0; j < len; ++j) {
      input += rng() % 3 == 0 ? random_byte() : alphabet[rng() % alphabet.size()];
    }
    return input;
  }
  static const char* const kPrefixes[] = {"", "http://", "HTTPS://u:p@", "//", "ftp://"};
  static const char* const kSuffixes[] = {".com",       ".co.uk",    ".DE.", "\xE3\x80\x82jp",
                                          ".github.io", ".xn--p1ai", ""};
  static const char* const kTails[] = {"", ":80", "/path?q#f", ":8443/x", ":x"};
  static constexpr char kLabelChars[] = "abcxyz019-ABC\xC3\xBC";
  input += kPrefixes[rng() % std::size(kPrefixes)];
  size_t labels = 1 + rng() % 3;
  for (size_t l = 0; l < labels; ++l) {
    if (l > 0) input += '.';
    size_t len = 1 + rng() % 12;
    for (size_t j = 0; j < len; ++j) {
      input += rng() % 40 == 0 ? random_byte() : kLabelChars[rng() % (sizeof kLabelChars - 1)];
    }
  }
  input += kSuffixes[rng() % std::size(kSuffixes)];
  input += kTails[rng() % std::size(kTails)];
  return input;
}

TEST_F(DomainNormalizerTest, RandomBytesNeverYieldUnsafeDomains) {
  std::mt19937 rng(20240611);
  int accepted = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string input = RandomInput(rng);
    auto result = names_->Normalize(input);
    if (result.ok()) {
      const DomainName* name = &result.value();
      ++accepted;
      for (const std::string* s : {&name->domain, &name->host, &name->tld}) {
        ASSERT_FALSE(s->empty());
        for (char c : *s) {
          ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
              << "input " << ::testing::PrintToString(input) << " gave " << *s;
        }
      }
      EXPECT_EQ(DomainOf(name->domain), name->domain) << ::testing::PrintToString(input);
    } else {
      EXPECT_FALSE(result.status().message().empty());
    }
  }
  EXPECT_GT(accepted, 200);
}

TEST_F(DomainNormalizerTest, LongInputsAreFast) {
  std::vector<std::string> inputs = {
      std::string(2048, 'a'),
      std::string(2047, '.') + "a",
      "http://" + std::string(2000, '@'),
  };
  std::string many_labels;
  while (many_labels.size() < 2040) many_labels += "a.";
  inputs.push_back(many_labels + "com");
  std::string wide;
  while (wide.size() < 2040) wide += "\xC3\xBC";  // one 1020-character U-label
  inputs.push_back(wide + ".de");
  std::string percent;
  while (percent.size() < 2040) percent += "%C3%BC";
  inputs.push_back(percent + ".de");
  inputs.push_back(std::string(100000, 'a'));
  auto start = std::chrono::steady_clock::now();
  for (const std::string& in : inputs) {
    EXPECT_FALSE(names_->Normalize(in).ok()) << in.substr(0, 20);
  }
  // They take microseconds each; the bound only catches work that grows with the input (a loaded
  // machine running sanitizers must not make it fail).
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(DomainNormalizerOpenTest, ReportsAMissingOrUnusableList) {
  auto missing = DomainNormalizer::Open("/nonexistent/psl.dafsa");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsIOError());
  EXPECT_NE(missing.status().message().find("/nonexistent/psl.dafsa"), std::string::npos)
      << missing.status().message();
  auto empty = DomainNormalizer::Open("/dev/null");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.status().IsInvalidArgument());
  EXPECT_FALSE(empty.status().message().empty());
}

}  // namespace
}  // namespace whois
