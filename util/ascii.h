// ASCII case and blank handling. Protocol keys, host names and WHOIS labels are compared in
// ASCII only: a locale must never change what matches (std::tolower would), and bytes >= 0x80
// are left as they are.
#ifndef WP_UTIL_ASCII_H_
#define WP_UTIL_ASCII_H_

#include <string>
#include <string_view>

namespace util {

// The blank sets the callers trim: spaces and tabs, and with the CR a CRLF line leaves behind.
inline constexpr std::string_view kBlanks = " \t";
inline constexpr std::string_view kBlanksAndCr = " \t\r";

constexpr char ToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

constexpr bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

constexpr std::string_view TrimLeft(std::string_view s, std::string_view chars) {
  size_t i = s.find_first_not_of(chars);
  return i == std::string_view::npos ? std::string_view() : s.substr(i);
}

constexpr std::string_view TrimRight(std::string_view s, std::string_view chars) {
  size_t i = s.find_last_not_of(chars);
  return i == std::string_view::npos ? std::string_view() : s.substr(0, i + 1);
}

constexpr std::string_view Trim(std::string_view s, std::string_view chars) {
  return TrimRight(TrimLeft(s, chars), chars);
}

}  // namespace util

#endif  // WP_UTIL_ASCII_H_
