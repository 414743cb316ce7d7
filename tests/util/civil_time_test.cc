#include "util/civil_time.h"

#include <gtest/gtest.h>

#include <ctime>

namespace util {
namespace {

TEST(CivilTime, KnownDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  CivilDate d = CivilFromDays(11016);
  EXPECT_EQ(d.year, 2000);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
}

TEST(CivilTime, RoundTripsAndAgreesWithTimegm) {
  // Every day from 1600 to 2400, both ways, and against the C library where it is defined.
  for (int64_t z = DaysFromCivil(1600, 1, 1); z <= DaysFromCivil(2400, 12, 31); ++z) {
    CivilDate d = CivilFromDays(z);
    ASSERT_EQ(DaysFromCivil(d.year, d.month, d.day), z);
    ASSERT_GE(d.day, 1);
    ASSERT_LE(d.day, DaysInMonth(d.year, d.month));
    if (z % 97 == 0 && d.year >= 1902 && d.year <= 2037) {
      std::tm tm{};
      tm.tm_year = static_cast<int>(d.year - 1900);
      tm.tm_mon = d.month - 1;
      tm.tm_mday = d.day;
      ASSERT_EQ(static_cast<int64_t>(timegm(&tm)), z * 86400);
    }
  }
}

TEST(CivilTime, LeapYears) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(2023, 12), 31);
}

}  // namespace
}  // namespace util
