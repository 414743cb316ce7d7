#include "whois/upstream/charset.h"

#include <gtest/gtest.h>

namespace whois {
namespace {

TEST(CharsetTest, ValidUtf8PassesUnchanged) {
  DecodedText d = DecodeToUtf8("Registrant: S\xC3\xB8rensen \xE6\x97\xA5\xE6\x9C\xAC", "utf-8");
  EXPECT_EQ(d.utf8, "Registrant: S\xC3\xB8rensen \xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(d.replaced, 0u);
  EXPECT_TRUE(d.warning.empty());
  EXPECT_EQ(DecodeToUtf8("abc", "").utf8, "abc");
  EXPECT_EQ(DecodeToUtf8("abc", "UTF8").utf8, "abc");
}

TEST(CharsetTest, InvalidUtf8BecomesReplacementCharacters) {
  // A Latin-1 'ø' in a reply declared UTF-8, a lone continuation byte, an overlong '/',
  // a UTF-16 surrogate and a sequence cut at the end.
  DecodedText d = DecodeToUtf8("S\xF8rensen \x80 \xC0\xAF \xED\xA0\x80 \xE6\x97", "utf-8");
  EXPECT_EQ(d.utf8.find('\xF8'), std::string::npos);
  EXPECT_NE(d.utf8.find("S\xEF\xBF\xBDrensen"), std::string::npos);
  EXPECT_GE(d.replaced, 6u);
  std::string again;
  EXPECT_EQ(SanitizeUtf8(d.utf8, &again), 0u);  // the output is valid UTF-8
  EXPECT_EQ(again, d.utf8);
}

TEST(CharsetTest, DecodesLatin1) {
  DecodedText d = DecodeToUtf8(
      "owner: S\xF8rensen, M\xFCller, Ca\xF1"
      "ete",
      "iso-8859-1");
  EXPECT_EQ(d.utf8,
            "owner: S\xC3\xB8rensen, M\xC3\xBCller, Ca\xC3\xB1"
            "ete");
  EXPECT_EQ(d.replaced, 0u);
  EXPECT_EQ(DecodeToUtf8("\xF8", "ISO-8859-1").utf8, "\xC3\xB8");  // case-insensitive
  EXPECT_EQ(DecodeToUtf8("\xF8", "latin1").utf8, "\xC3\xB8");
}

TEST(CharsetTest, DecodesIso2022Jp) {
  // "日本" in ISO-2022-JP: ESC $ B, 0x46 0x7C 0x4B 0x5C, ESC ( B.
  DecodedText d = DecodeToUtf8("[\x1B$BF|K\\\x1B(B]", "iso-2022-jp");
  EXPECT_EQ(d.utf8, "[\xE6\x97\xA5\xE6\x9C\xAC]");
  EXPECT_EQ(d.replaced, 0u);
}

TEST(CharsetTest, InvalidBytesInAStatefulCharsetAreReplacedNotFatal) {
  // 0x80+ bytes are not ISO-2022-JP at all.
  DecodedText d = DecodeToUtf8("a\x80\x81z", "iso-2022-jp");
  EXPECT_EQ(d.utf8, "a\xEF\xBF\xBD\xEF\xBF\xBDz");
  EXPECT_EQ(d.replaced, 2u);
}

TEST(CharsetTest, UnknownCharsetFallsBackToUtf8WithWarning) {
  DecodedText d = DecodeToUtf8("ok \xC3\xB8 \xFF", "klingon-8");
  EXPECT_EQ(d.utf8, "ok \xC3\xB8 \xEF\xBF\xBD");
  EXPECT_NE(d.warning.find("unknown charset 'klingon-8'"), std::string::npos);
}

TEST(CharsetTest, LargeInputCrossesTheConversionBuffer) {
  std::string in(20000, '\xE9');  // é in Latin-1
  DecodedText d = DecodeToUtf8(in, "iso-8859-1");
  ASSERT_EQ(d.utf8.size(), 40000u);
  EXPECT_EQ(d.utf8.substr(39998), "\xC3\xA9");
}

TEST(CharsetTest, EmptyInput) {
  EXPECT_EQ(DecodeToUtf8("", "iso-2022-jp").utf8, "");
  EXPECT_EQ(DecodeToUtf8("", "utf-8").utf8, "");
}

}  // namespace
}  // namespace whois
