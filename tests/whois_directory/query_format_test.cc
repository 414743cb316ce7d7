#include "whois/directory/query_format.h"

#include <gtest/gtest.h>

namespace whois {
namespace {

// The query line, or "ERROR: message".
std::string Format(std::string_view format, std::string_view domain) {
  auto result = FormatQuery(format, domain);
  if (!result.ok()) return "ERROR: " + result.status().message();
  return result.value();
}

bool Fails(std::string_view format, std::string_view domain, std::string* error) {
  *error = Format(format, domain);
  return error->starts_with("ERROR: ");
}

TEST(FormatQuery, Substitutes) {
  EXPECT_EQ(Format("%s", "example.com"), "example.com");
  EXPECT_EQ(Format("domain %s", "example.com"), "domain example.com");
  EXPECT_EQ(Format("-T dn,ace %s", "xn--mnchen-3ya.de"), "-T dn,ace xn--mnchen-3ya.de");
  EXPECT_EQ(Format("%s/e", "example.jp"), "example.jp/e");
}

TEST(FormatQuery, RejectsBadFormats) {
  std::string error;
  EXPECT_TRUE(Fails("domain", "example.com", &error));
  EXPECT_NE(error.find("exactly once"), std::string::npos) << error;
  EXPECT_TRUE(Fails("%s %s", "example.com", &error));
  EXPECT_NE(error.find("exactly once"), std::string::npos) << error;
  EXPECT_TRUE(Fails("%d %s", "example.com", &error));
  EXPECT_TRUE(Fails("100% %s", "example.com", &error));
  EXPECT_TRUE(Fails("%s\r\nsecond query", "example.com", &error));
  EXPECT_TRUE(Fails("%s\t", "example.com", &error));
  EXPECT_TRUE(Fails(std::string(200, 'a') + "%s", "example.com", &error));
  EXPECT_TRUE(CheckQueryFormat("domain %s").ok());
  EXPECT_TRUE(CheckQueryFormat("").IsInvalidArgument());
}

TEST(FormatQuery, RejectsUnnormalisedDomains) {
  std::string error;
  EXPECT_TRUE(Fails("%s", "", &error));
  EXPECT_TRUE(Fails("%s", "Example.com", &error));
  EXPECT_TRUE(Fails("%s", "example.com\r\nfoo", &error));
  EXPECT_TRUE(Fails("%s", "ex ample.com", &error));
  EXPECT_NE(error.find("normalised"), std::string::npos) << error;
}

}  // namespace
}  // namespace whois
