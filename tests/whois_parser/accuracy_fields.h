// How the accuracy tests (corpus_accuracy_test, unseen_accuracy_test) compare what the parser
// made of a reply with a field of an expectation file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "whois/country/country.h"
#include "whois/record/record.h"

namespace whois::accuracy {

// The record's value of `field` in the expectation's form: dates as long as `expected` (the day
// only when it gives YYYY-MM-DD), name servers comma-joined. nullopt for a field the test maps
// itself (domain, status, kind) or does not know.
inline std::optional<std::string> RecordField(const std::string& field, const WhoisRecord& record,
                                              const std::string& expected) {
  if (field == "registrar") return record.registrar.name;
  if (field == "created" || field == "updated" || field == "expires") {
    const std::string& v = field == "created"   ? record.created
                           : field == "updated" ? record.updated
                                                : record.expires;
    return expected.size() == 10 ? v.substr(0, 10) : v;
  }
  if (field == "nameservers") {
    std::string out;
    for (const std::string& s : record.nameservers) out += (out.empty() ? "" : ",") + s;
    return out;
  }
  if (field == "registrant_org") return record.registrant.organization;
  if (field == "registrant_country") return record.registrant.country;
  return std::nullopt;
}

// The expected value as the parser writes it: a country name as its ISO code; "(none)" (the
// reply holds a value that must not be published) as "".
inline std::string Wanted(const std::string& field, const std::string& value) {
  if (value == "(none)") return "";
  if (field == "registrant_country" && value.size() != 2) {
    return CountryTable::Builtin().Normalize(value).value_or(value);
  }
  return value;
}

// Whether the parser got it right: equal but for ASCII case.
inline bool SameValue(const std::string& got, const std::string& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(got[i]) != lower(want[i])) return false;
  }
  return true;
}

}  // namespace whois::accuracy
