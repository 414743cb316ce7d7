#include "whois/country/country.h"

#include <algorithm>

namespace whois {
namespace {

#include "whois/country/data/country_data.inc"

// Lookups binary-search the tables, so a badly generated table would fail silently; refuse to
// compile one instead.
constexpr bool IsSorted(std::span<const CountryEntry> table) {
  return std::is_sorted(table.begin(), table.end(),
                        [](const CountryEntry& a, const CountryEntry& b) { return a.key < b.key; });
}
static_assert(IsSorted(kTldCountries));
static_assert(IsSorted(kCountryNames));
static_assert(IsSorted(kCountryAliases));

// Longest text Normalize() looks at; country fields longer than this name no country we know.
constexpr size_t kMaxCountryTextBytes = 128;

std::optional<std::string_view> Find(std::span<const CountryEntry> table, std::string_view key) {
  auto it =
      std::lower_bound(table.begin(), table.end(), key,
                       [](const CountryEntry& entry, std::string_view k) { return entry.key < k; });
  if (it == table.end() || it->key != key) return std::nullopt;
  return it->value;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Must match name_key() in whois/country/data/gen_country_data.py: ASCII lower case, any ASCII byte that
// is not a letter or digit separates words, the word "the" is dropped, words joined by one space.
// Non-ASCII bytes are kept, so UTF-8 names match their generated keys byte for byte.
std::string NameKey(std::string_view text) {
  std::string key;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && word != "the") {
      if (!key.empty()) key += ' ';
      key += word;
    }
    word.clear();
  };
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80 || IsAsciiAlnum(c)) {
      word += AsciiLower(c);
    } else {
      flush();
    }
  }
  flush();
  return key;
}

}  // namespace

const CountryTable& CountryTable::Builtin() {
  static const CountryTable table(kTldCountries, kCountryNames, kCountryAliases);
  return table;
}

std::optional<std::string_view> CountryTable::ForTld(std::string_view tld) const {
  return Find(tlds_, tld);
}

std::optional<std::string_view> CountryTable::NameOf(std::string_view alpha2) const {
  if (alpha2.size() != 2) return std::nullopt;
  std::string upper(alpha2);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Find(names_, upper);
}

std::optional<std::string> CountryTable::Normalize(std::string_view text) const {
  if (text.size() > kMaxCountryTextBytes) return std::nullopt;
  auto code = Find(aliases_, NameKey(text));
  if (!code) return std::nullopt;
  return std::string(*code);
}

}  // namespace whois
