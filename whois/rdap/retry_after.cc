#include "whois/rdap/retry_after.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "util/civil_time.h"

namespace whois::rdap {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<int64_t> Number(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  text = Trim(text);
  if (text.size() > 64) return std::nullopt;
  // Tokens split on spaces, commas and dashes: works for all three forms.
  std::vector<std::string> tokens;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '-') {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  int64_t day = -1, month = -1, year = -1, h = -1, mi = -1, s = -1;
  for (size_t i = 1; i < tokens.size(); ++i) {  // tokens[0] is the weekday
    const std::string& t = tokens[i];
    if (auto m = std::find(kMonths.begin(), kMonths.end(), t); m != kMonths.end()) {
      month = (m - kMonths.begin()) + 1;
    } else if (t.size() == 8 && t[2] == ':' && t[5] == ':') {
      auto hh = Number(t.substr(0, 2), 2), mm = Number(t.substr(3, 2), 2),
           ss = Number(t.substr(6, 2), 2);
      if (!hh || !mm || !ss) return std::nullopt;
      h = *hh, mi = *mm, s = *ss;
    } else if (t == "gmt" || t == "utc") {
      continue;
    } else if (auto n = Number(t, 4)) {
      if (t.size() == 4) {
        year = *n;
      } else if (day < 0 && t.size() <= 2) {
        day = *n;
      } else if (t.size() == 2) {
        year = *n < 70 ? 2000 + *n : 1900 + *n;  // RFC 850 two-digit year
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (day < 1 || day > 31 || month < 1 || year < 1970 || h < 0 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  return util::DaysFromCivil(year, month, day) * 86400 + h * 3600 + mi * 60 + s;
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix_s) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (auto delta = Number(value, 18)) return std::min(*delta, kMaxRetryAfterSeconds);
  if (auto at = ParseHttpDate(value)) {
    return std::clamp<int64_t>(*at - now_unix_s, 0, kMaxRetryAfterSeconds);
  }
  return std::nullopt;
}

}  // namespace whois::rdap
