#include "util/enum_names.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace util {
namespace {

enum class Color : uint8_t { kRed, kGreen, kBlue };
constexpr EnumNames<Color::kBlue> kColorNames({"red", "green", "blue"}, "unknown");

TEST(EnumNames, NamesEachEnumeratorInOrder) {
  EXPECT_EQ(kColorNames.Name(Color::kRed), "red");
  EXPECT_EQ(kColorNames.Name(Color::kGreen), "green");
  EXPECT_EQ(kColorNames.Name(Color::kBlue), "blue");
  static_assert(kColorNames.Name(Color::kGreen) == "green", "usable at compile time");
}

TEST(EnumNames, AValueOutsideTheTableGetsTheUnknownName) {
  EXPECT_EQ(kColorNames.Name(static_cast<Color>(3)), "unknown");
  EXPECT_EQ(kColorNames.Name(static_cast<Color>(255)), "unknown");
}

TEST(EnumNames, FromNameFindsTheEnumeratorCaseSensitively) {
  EXPECT_EQ(kColorNames.FromName("blue"), Color::kBlue);
  EXPECT_EQ(kColorNames.FromName("red"), Color::kRed);
  EXPECT_EQ(kColorNames.FromName("Blue"), std::nullopt);
  EXPECT_EQ(kColorNames.FromName("unknown"), std::nullopt);
  EXPECT_EQ(kColorNames.FromName(""), std::nullopt);
}

enum class Signed : int { kA, kB };
constexpr EnumNames<Signed::kB> kSignedNames({"a", "b"}, "?");

TEST(EnumNames, NegativeValuesOfASignedEnumAreUnknown) {
  EXPECT_EQ(kSignedNames.Name(static_cast<Signed>(-1)), "?");
  EXPECT_EQ(kSignedNames.Name(Signed::kB), "b");
}

}  // namespace
}  // namespace util
