#include "whois/country/country.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace whois {
namespace {

const CountryTable& Table() { return CountryTable::Builtin(); }

// A TLD of a kind and the country it stands for; nullptr where it stands for none.
struct TldCountry {
  const char* kind;
  const char* tld;
  const char* country;
};

const TldCountry kTldCountries[] = {
    {"ccTLD", "de", "DE"},
    {"ccTLD", "fr", "FR"},
    {"ccTLD", "io", "IO"},
    {"exceptional ccTLD", "uk", "GB"},
    {"exceptional ccTLD", "gb", "GB"},
    {"exceptional ccTLD", "ac", "SH"},
    {"exceptional ccTLD", "eu", nullptr},
    {"exceptional ccTLD", "su", nullptr},
    {"IDN ccTLD", "xn--p1ai", "RU"},      // рф
    {"IDN ccTLD", "xn--fiqs8s", "CN"},    // 中国
    {"IDN ccTLD", "xn--3e0b707e", "KR"},  // 한국
    {"IDN ccTLD", "xn--e1a4c", nullptr},  // ею: like .eu
    {"IDN ccTLD", "xn--p1acf", nullptr},  // рус: a language gTLD
    {"geographic gTLD", "berlin", "DE"},
    {"geographic gTLD", "tokyo", "JP"},
    {"geographic gTLD", "london", "GB"},
    {"geographic gTLD", "cat", "ES"},
    {"geographic gTLD", "xn--80adxhks", "RU"},  // москва
    {"geographic gTLD", "africa", nullptr},
    {"geographic gTLD", "asia", nullptr},
    {"generic or unknown", "com", nullptr},
    {"generic or unknown", "google", nullptr},
    {"generic or unknown", "", nullptr},
    {"generic or unknown", "DE", nullptr},  // contract: lower case
    {"generic or unknown", ".de", nullptr},
};

TEST(CountryTableTest, TldsGiveTheirCountries) {
  for (const TldCountry& c : kTldCountries) {
    SCOPED_TRACE(std::string(c.kind) + "  + c.tld + ");
    if (c.country == nullptr) {
      EXPECT_EQ(Table().ForTld(c.tld), std::nullopt);
    } else {
      EXPECT_EQ(Table().ForTld(c.tld), c.country);
    }
  }
}

TEST(CountryTableTest, NameOf) {
  EXPECT_EQ(Table().NameOf("DE"), "Germany");
  EXPECT_EQ(Table().NameOf("gb"), "United Kingdom");
  EXPECT_EQ(Table().NameOf("US"), "United States");
  EXPECT_EQ(Table().NameOf("XX"), std::nullopt);
  EXPECT_EQ(Table().NameOf("DEU"), std::nullopt);
}

// The spellings of one country that registries write, and its code.
struct Spellings {
  const char* code;
  std::vector<std::string> names;
};

TEST(CountryTableTest, NormalizeNamesAndCodes) {
  const Spellings countries[] = {
      {"DE", {"Germany", "GERMANY", "DE", "de", " DEU "}},
      {"GB", {"United Kingdom", "UK"}},
      {"US", {"United States of America (the)"}},
      {"KR", {"Korea, Republic of", "KOREA (THE REPUBLIC OF)"}},
      {"RU", {"Russian Federation"}},
      {"TR", {"Türkiye", "Turkey"}},
      {"CI", {"Côte d’Ivoire", "Cote d'Ivoire"}},
  };
  for (const Spellings& country : countries) {
    for (const std::string& name : country.names) {
      EXPECT_EQ(Table().Normalize(name), country.code) << name;
    }
  }
}

TEST(CountryTableTest, NormalizeRejectsNonCountries) {
  for (const std::string& text : {std::string(), std::string("EU"), std::string("Atlantis"),
                                  std::string("REDACTED FOR PRIVACY"), std::string(10000, 'a')}) {
    EXPECT_EQ(Table().Normalize(text), std::nullopt) << text.substr(0, 40);
  }
}

}  // namespace
}  // namespace whois
