#include "whois/country/country.h"

#include <gtest/gtest.h>

namespace whois {
namespace {

const CountryTable& Table() { return CountryTable::Builtin(); }

TEST(CountryTableTest, CcTlds) {
  EXPECT_EQ(Table().ForTld("de"), "DE");
  EXPECT_EQ(Table().ForTld("fr"), "FR");
  EXPECT_EQ(Table().ForTld("io"), "IO");
}

TEST(CountryTableTest, ExceptionalCcTlds) {
  EXPECT_EQ(Table().ForTld("uk"), "GB");
  EXPECT_EQ(Table().ForTld("gb"), "GB");
  EXPECT_EQ(Table().ForTld("ac"), "SH");
  EXPECT_EQ(Table().ForTld("eu"), std::nullopt);
  EXPECT_EQ(Table().ForTld("su"), std::nullopt);
}

TEST(CountryTableTest, IdnCcTldsFollowTheirAsciiTwin) {
  EXPECT_EQ(Table().ForTld("xn--p1ai"), "RU");           // рф
  EXPECT_EQ(Table().ForTld("xn--fiqs8s"), "CN");         // 中国
  EXPECT_EQ(Table().ForTld("xn--3e0b707e"), "KR");       // 한국
  EXPECT_EQ(Table().ForTld("xn--e1a4c"), std::nullopt);  // ею: like .eu
  EXPECT_EQ(Table().ForTld("xn--p1acf"), std::nullopt);  // рус: a language gTLD
}

TEST(CountryTableTest, GeographicGtlds) {
  EXPECT_EQ(Table().ForTld("berlin"), "DE");
  EXPECT_EQ(Table().ForTld("tokyo"), "JP");
  EXPECT_EQ(Table().ForTld("london"), "GB");
  EXPECT_EQ(Table().ForTld("cat"), "ES");
  EXPECT_EQ(Table().ForTld("xn--80adxhks"), "RU");  // москва
  EXPECT_EQ(Table().ForTld("africa"), std::nullopt);
  EXPECT_EQ(Table().ForTld("asia"), std::nullopt);
}

TEST(CountryTableTest, GenericAndUnknownTldsHaveNoCountry) {
  EXPECT_EQ(Table().ForTld("com"), std::nullopt);
  EXPECT_EQ(Table().ForTld("google"), std::nullopt);
  EXPECT_EQ(Table().ForTld(""), std::nullopt);
  EXPECT_EQ(Table().ForTld("DE"), std::nullopt);  // contract: lower case
  EXPECT_EQ(Table().ForTld(".de"), std::nullopt);
}

TEST(CountryTableTest, NameOf) {
  EXPECT_EQ(Table().NameOf("DE"), "Germany");
  EXPECT_EQ(Table().NameOf("gb"), "United Kingdom");
  EXPECT_EQ(Table().NameOf("US"), "United States");
  EXPECT_EQ(Table().NameOf("XX"), std::nullopt);
  EXPECT_EQ(Table().NameOf("DEU"), std::nullopt);
}

TEST(CountryTableTest, NormalizeNamesAndCodes) {
  EXPECT_EQ(Table().Normalize("Germany"), "DE");
  EXPECT_EQ(Table().Normalize("GERMANY"), "DE");
  EXPECT_EQ(Table().Normalize("DE"), "DE");
  EXPECT_EQ(Table().Normalize("de"), "DE");
  EXPECT_EQ(Table().Normalize(" DEU "), "DE");
  EXPECT_EQ(Table().Normalize("United Kingdom"), "GB");
  EXPECT_EQ(Table().Normalize("UK"), "GB");
  EXPECT_EQ(Table().Normalize("United States of America (the)"), "US");
  EXPECT_EQ(Table().Normalize("Korea, Republic of"), "KR");
  EXPECT_EQ(Table().Normalize("KOREA (THE REPUBLIC OF)"), "KR");
  EXPECT_EQ(Table().Normalize("Russian Federation"), "RU");
  EXPECT_EQ(Table().Normalize("Türkiye"), "TR");
  EXPECT_EQ(Table().Normalize("Turkey"), "TR");
  EXPECT_EQ(Table().Normalize("Côte d’Ivoire"), "CI");
  EXPECT_EQ(Table().Normalize("Cote d'Ivoire"), "CI");
}

TEST(CountryTableTest, NormalizeRejectsNonCountries) {
  EXPECT_EQ(Table().Normalize(""), std::nullopt);
  EXPECT_EQ(Table().Normalize("EU"), std::nullopt);
  EXPECT_EQ(Table().Normalize("Atlantis"), std::nullopt);
  EXPECT_EQ(Table().Normalize("REDACTED FOR PRIVACY"), std::nullopt);
  EXPECT_EQ(Table().Normalize(std::string(10000, 'a')), std::nullopt);
}

}  // namespace
}  // namespace whois
