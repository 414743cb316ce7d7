#include "util/ascii.h"

#include <gtest/gtest.h>

namespace util {
namespace {

TEST(Ascii, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ToLower("WHOIS.Nic.DE"), "whois.nic.de");
  // Bytes >= 0x80 (UTF-8 of "Ä") stay as they are whatever the locale.
  EXPECT_EQ(ToLower("\xC3\x84X"), "\xC3\x84x");
  EXPECT_EQ(ToLower('@'), '@');
  EXPECT_EQ(ToLower('['), '[');
}

TEST(Ascii, ComparesIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Referral", "rEFERRAL"));
  EXPECT_FALSE(EqualsIgnoreCase("referral", "referrals"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x84", "\xC3\xA4"));  // not ASCII: compared as bytes
  EXPECT_TRUE(StartsWithIgnoreCase("ReferralServer: x", "referral"));
  EXPECT_FALSE(StartsWithIgnoreCase("Ref", "referral"));
}

TEST(Ascii, TrimsTheGivenSetOnly) {
  EXPECT_EQ(Trim(" \tvalue \r", kBlanksAndCr), "value");
  EXPECT_EQ(Trim(" \tvalue \r", kBlanks), "value \r");
  EXPECT_EQ(Trim(" \t\r ", kBlanksAndCr), "");
  EXPECT_EQ(Trim("", kBlanks), "");
  EXPECT_EQ(TrimLeft("  a b  ", kBlanks), "a b  ");
  EXPECT_EQ(TrimRight("  a b  ", kBlanks), "  a b");
}

}  // namespace
}  // namespace util
