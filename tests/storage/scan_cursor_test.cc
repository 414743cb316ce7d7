#include "storage/scan_cursor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace storage {
namespace {

TEST(ScanCursorTest, EmptyIsZeroAndRealKeysAreNot) {
  EXPECT_EQ(EncodeCursor(""), 0u);
  EXPECT_NE(EncodeCursor("-"), 0u);
  EXPECT_NE(EncodeCursor("a"), 0u);
  EXPECT_EQ(DecodeCursor(0), "");
}

TEST(ScanCursorTest, RoundTripsTheFirstTwelveChars) {
  for (std::string s : {"a", "example.com", "zzzzzzzzzzzz", "0-.9", "xn--bcher-kva.ch"}) {
    std::string prefix = s.substr(0, kCursorChars);
    EXPECT_EQ(DecodeCursor(EncodeCursor(s)), prefix) << s;
  }
}

TEST(ScanCursorTest, PreservesOrder) {
  std::mt19937 rng(7);
  const std::string alphabet = "-.0123456789abcdefghijklmnopqrstuvwxyz";
  std::vector<std::string> names;
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 14, 'a');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    names.push_back(s);
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 1; i < names.size(); ++i)
    EXPECT_LE(EncodeCursor(names[i - 1]), EncodeCursor(names[i]))
        << names[i - 1] << " " << names[i];
}

TEST(ScanCursorTest, RejectsCursorsNoStringPacksTo) {
  EXPECT_FALSE(DecodeCursor(1).has_value());  // padding then '-'
  EXPECT_FALSE(DecodeCursor(~uint64_t{0}).has_value());
  uint64_t max = EncodeCursor("zzzzzzzzzzzz");
  EXPECT_TRUE(DecodeCursor(max).has_value());
  EXPECT_FALSE(DecodeCursor(max + 1).has_value());
}

TEST(ScanCursorTest, Alphabet) {
  EXPECT_TRUE(IsCursorText("a-b.c09"));
  EXPECT_FALSE(IsCursorText("A"));
  EXPECT_FALSE(IsCursorText("a_b"));
  EXPECT_FALSE(IsCursorText("a b"));
}

}  // namespace
}  // namespace storage
