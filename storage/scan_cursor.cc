#include "storage/scan_cursor.h"

namespace storage {
namespace {

constexpr uint64_t kBase = 39;

// 0 is padding; the digits follow byte order so that packing preserves it.
int Digit(char c) {
  if (c == '-') return 1;
  if (c == '.') return 2;
  if (c >= '0' && c <= '9') return 3 + (c - '0');
  if (c >= 'a' && c <= 'z') return 13 + (c - 'a');
  return -1;
}

char CharOf(uint64_t d) {
  if (d == 1) return '-';
  if (d == 2) return '.';
  if (d <= 12) return static_cast<char>('0' + (d - 3));
  return static_cast<char>('a' + (d - 13));
}

constexpr uint64_t MaxCursor() {
  uint64_t m = 1;
  for (size_t i = 0; i < kCursorChars; ++i) m *= kBase;
  return m;  // 39^12, one past the largest valid cursor
}

}  // namespace

bool IsCursorText(std::string_view s) {
  for (char c : s)
    if (Digit(c) < 0) return false;
  return true;
}

uint64_t EncodeCursor(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < kCursorChars; ++i) {
    int d = i < s.size() ? Digit(s[i]) : 0;
    v = v * kBase + static_cast<uint64_t>(d < 0 ? 0 : d);
  }
  return v;
}

std::optional<std::string> DecodeCursor(uint64_t cursor) {
  if (cursor >= MaxCursor()) return std::nullopt;
  char digits[kCursorChars];
  for (size_t i = kCursorChars; i-- > 0;) {
    digits[i] = static_cast<char>(cursor % kBase);
    cursor /= kBase;
  }
  std::string out;
  bool ended = false;
  for (char d : digits) {
    if (d == 0) {
      ended = true;
    } else if (ended) {
      return std::nullopt;  // a character after padding: no string packs to this
    } else {
      out.push_back(CharOf(static_cast<uint64_t>(d)));
    }
  }
  return out;
}

}  // namespace storage
