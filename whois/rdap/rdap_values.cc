#include "whois/rdap/rdap_values.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "whois/record/record.h"

namespace whois::rdap {
namespace {

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '_' || c == '-') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// RFC 8056 §2 (domain and contact/host mappings) and RFC 3915 RGP states.
constexpr std::array<std::pair<std::string_view, std::string_view>, 25> kEppForRdap = {{
    {"active", "ok"},
    {"add period", "addPeriod"},
    {"associated", "linked"},
    {"auto renew period", "autoRenewPeriod"},
    {"client delete prohibited", "clientDeleteProhibited"},
    {"client hold", "clientHold"},
    {"client renew prohibited", "clientRenewProhibited"},
    {"client transfer prohibited", "clientTransferProhibited"},
    {"client update prohibited", "clientUpdateProhibited"},
    {"inactive", "inactive"},
    {"pending create", "pendingCreate"},
    {"pending delete", "pendingDelete"},
    {"pending renew", "pendingRenew"},
    {"pending restore", "pendingRestore"},
    {"pending transfer", "pendingTransfer"},
    {"pending update", "pendingUpdate"},
    {"redemption period", "redemptionPeriod"},
    {"renew period", "renewPeriod"},
    {"server delete prohibited", "serverDeleteProhibited"},
    {"server hold", "serverHold"},
    {"server renew prohibited", "serverRenewProhibited"},
    {"server transfer prohibited", "serverTransferProhibited"},
    {"server update prohibited", "serverUpdateProhibited"},
    {"transfer period", "transferPeriod"},
    {"ok", "ok"},  // not an RDAP word, but some servers send EPP codes as is
}};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<std::string> RdapStatusToEpp(std::string_view rdap_status) {
  std::string key = LowerTrim(rdap_status);
  if (key.empty() || key.size() > 64) return std::nullopt;
  for (const auto& [rdap, epp] : kEppForRdap) {
    if (key == rdap) return std::string(epp);
  }
  // An EPP code sent as is ("clientTransferProhibited"): compare without case or spaces.
  for (const auto& [rdap, epp] : kEppForRdap) {
    std::string squashed;
    for (char c : rdap) {
      if (c != ' ') squashed.push_back(c);
    }
    std::string k;
    for (char c : key) {
      if (c != ' ') k.push_back(c);
    }
    if (k == squashed) return std::string(epp);
  }
  // A status RFC 8056 does not map ("server recover prohibited", "transfer prohibited"): the
  // same form as the mapped ones, camelCase of its words ("serverRecoverProhibited"). One word is
  // kept as written apart from case ("locked"); a word already in camelCase stays as it is.
  if (key.find(' ') == std::string::npos) {
    while (!rdap_status.empty() && rdap_status.front() == ' ') rdap_status.remove_prefix(1);
    while (!rdap_status.empty() && rdap_status.back() == ' ') rdap_status.remove_suffix(1);
    bool camel = !rdap_status.empty() && rdap_status.front() >= 'a' && rdap_status.front() <= 'z' &&
                 std::any_of(rdap_status.begin(), rdap_status.end(),
                             [](char c) { return c >= 'A' && c <= 'Z'; });
    return camel ? std::string(rdap_status) : key;
  }
  std::string camel;
  bool upper = false;
  for (char c : key) {
    if (c == ' ') {
      upper = true;
      continue;
    }
    camel.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return camel;
}

std::optional<std::string> NormalizeRdapDate(std::string_view t) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (t.size() > 64 || !Digits(t, 0, 4, &y) || t.size() < 10 || t[4] != '-' ||
      !Digits(t, 5, 2, &mo) || t[7] != '-' || !Digits(t, 8, 2, &d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return std::nullopt;
  size_t pos = 10;
  int offset_s = 0;
  if (pos < t.size()) {
    if (t[pos] != 'T' && t[pos] != 't' && t[pos] != ' ') return std::nullopt;
    if (!Digits(t, pos + 1, 2, &h) || t.size() < pos + 9 || t[pos + 3] != ':' ||
        !Digits(t, pos + 4, 2, &mi) || t[pos + 6] != ':' || !Digits(t, pos + 7, 2, &s)) {
      return std::nullopt;
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    if (s == 60) s = 59;  // a leap second: the record has no way to say 23:59:60
    pos += 9;
    if (pos < t.size() && t[pos] == '.') {
      ++pos;
      size_t digits = 0;
      while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos, ++digits;
      if (digits == 0) return std::nullopt;
    }
    if (pos < t.size()) {
      char z = t[pos];
      if ((z == 'Z' || z == 'z') && pos + 1 == t.size()) {
        // UTC
      } else if (z == '+' || z == '-') {
        int oh, om;
        std::string_view rest = t.substr(pos + 1);
        bool ok = (rest.size() == 5 && rest[2] == ':' && Digits(rest, 0, 2, &oh) &&
                   Digits(rest, 3, 2, &om)) ||
                  (rest.size() == 4 && Digits(rest, 0, 2, &oh) && Digits(rest, 2, 2, &om));
        if (!ok || oh > 23 || om > 59) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
      } else {
        return std::nullopt;
      }
    }
  }
  int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
  return FormatIsoUtc(secs * 1000);
}

std::optional<std::string> RedactedNameToPath(std::string_view name) {
  std::string key = LowerTrim(name);
  std::string_view rest = key;
  std::string role;
  for (auto [prefix, path] :
       std::array<std::pair<std::string_view, std::string_view>, 5>{{{"registrant ", "registrant"},
                                                                     {"administrative ", "admin"},
                                                                     {"admin ", "admin"},
                                                                     {"technical ", "tech"},
                                                                     {"tech ", "tech"}}}) {
    if (rest.starts_with(prefix)) {
      role = path;
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  if (role.empty()) return std::nullopt;
  if (rest.starts_with("contact ")) rest.remove_prefix(8);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kFields = {{
      {"name", "name"},
      {"organization", "organization"},
      {"organisation", "organization"},
      {"org", "organization"},
      {"street", "street"},
      {"address", "street"},
      {"city", "city"},
      {"state/province", "state"},
      {"state", "state"},
      {"province", "state"},
      {"postal code", "postal_code"},
      {"country", "country"},
      {"country code", "country"},
      {"phone", "phone"},
      {"email", "email"},
  }};
  if (rest == "phone ext" || rest == "phone extension") rest = "phone";
  for (const auto& [field, path] : kFields) {
    if (rest == field) return role + "." + std::string(path);
  }
  return std::nullopt;
}

}  // namespace whois::rdap
