// Small predicates over strings that several invariant checks share.
#pragma once

#include <string_view>

namespace fuzz {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// True when every byte of `s` is in [a-z0-9] or one of `extra`.
inline bool OnlyLowerAlnumOr(std::string_view s, std::string_view extra) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || IsAsciiDigit(c) || extra.find(c) != extra.npos;
    if (!ok) return false;
  }
  return true;
}

inline bool HasAsciiUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Control bytes: C0 and DEL (bytes >= 0x80 are UTF-8, not controls).
inline bool HasControl(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return true;
  }
  return false;
}

// "YYYY-MM-DDTHH:MM:SSZ" naming a real calendar day (leap years included) and a valid time.
inline bool IsIsoUtcTime(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!IsAsciiDigit(s[i])) return false;
  }
  auto num = [s](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month_days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= month_days && num(11, 2) < 24 && num(14, 2) < 60 && num(17, 2) < 60;
}

}  // namespace fuzz
