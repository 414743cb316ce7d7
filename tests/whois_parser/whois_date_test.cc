#include "whois/parser/whois_date.h"

#include <gtest/gtest.h>

namespace whois {
namespace {

struct DateCase {
  const char* text;
  DateOrder order;
  const char* want;  // nullptr: no date
};

class WhoisDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(WhoisDateTest, Normalises) {
  const DateCase& c = GetParam();
  std::optional<std::string> got = ParseWhoisDate(c.text, c.order);
  if (c.want == nullptr) {
    EXPECT_FALSE(got.has_value()) << c.text << " -> " << got.value_or("");
  } else {
    EXPECT_EQ(got.value_or("(none)"), c.want) << c.text;
  }
}

constexpr DateOrder kD = DateOrder::kDayFirst;
constexpr DateOrder kM = DateOrder::kMonthFirst;

INSTANTIATE_TEST_SUITE_P(
    Forms, WhoisDateTest,
    ::testing::Values(DateCase{"2024-01-31T12:00:00Z", kD, "2024-01-31T12:00:00Z"},
                      DateCase{"2024-01-31T12:00:00.0Z", kD, "2024-01-31T12:00:00Z"},
                      DateCase{"2024-01-31T12:00:00.123456Z", kD, "2024-01-31T12:00:00Z"},
                      DateCase{"2024-01-31 12:00:00+02:00", kD, "2024-01-31T10:00:00Z"},
                      DateCase{"2024-01-31T01:00:00-0700", kD, "2024-01-31T08:00:00Z"},
                      DateCase{"2024-01-31T23:30:00-01:00", kD, "2024-02-01T00:30:00Z"},
                      DateCase{"2024-01-01 00:30:00+01:00", kD, "2023-12-31T23:30:00Z"},
                      DateCase{"2024-01-31", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"31-Jan-2024", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"31-jan-2024", kM, "2024-01-31T00:00:00Z"},
                      DateCase{"31.01.2024", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"2024/01/31", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"2024.01.31 12:13:14", kD, "2024-01-31T12:13:14Z"},
                      DateCase{"20240131", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"20121216134104", kD, "2012-12-16T13:41:04Z"},
                      DateCase{"0-UANIC 20020903000000", kD, "2002-09-03T00:00:00Z"},
                      DateCase{"January 31 2024", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"31 January 2024", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"Wed Jan 31 2024", kD, "2024-01-31T00:00:00Z"},
                      DateCase{"Tue Feb 10 09:42:42 2004", kD, "2004-02-10T09:42:42Z"},
                      DateCase{"Fri Mar 29 22:03:53 GMT 2002", kD, "2002-03-29T22:03:53Z"},
                      DateCase{"Monday 16th Jun 2014", kD, "2014-06-16T00:00:00Z"},
                      DateCase{"2nd April, 2001", kD, "2001-04-02T00:00:00Z"},
                      DateCase{"21-March-2002", kD, "2002-03-21T00:00:00Z"},
                      DateCase{"13-MAY-2009", kD, "2009-05-13T00:00:00Z"},
                      DateCase{"2013/06/01 01:05:07 (JST)", kD, "2013-05-31T16:05:07Z"},
                      DateCase{"30/06/2014 00:00:00 EEST", kD, "2014-06-29T21:00:00Z"},
                      DateCase{"2011-11-09 (YYYY-MM-DD)", kD, "2011-11-09T00:00:00Z"},
                      DateCase{"2003-03-17 12:20 (UTC+8)", kD, "2003-03-17T04:20:00Z"},
                      DateCase{"20/03/2015 nic@nic.fr", kD, "2015-03-20T00:00:00Z"},
                      // The registry decides the order of an all-numeric date, never the digits.
                      DateCase{"01/02/2024", kD, "2024-02-01T00:00:00Z"},
                      DateCase{"01/02/2024", kM, "2024-01-02T00:00:00Z"},
                      DateCase{"12/18/2001", kM, "2001-12-18T00:00:00Z"},
                      DateCase{"12/18/2001", kD, nullptr},
                      DateCase{"16/09/03", kD, "2003-09-16T00:00:00Z"},
                      DateCase{"29.02.2024", kD, "2024-02-29T00:00:00Z"},
                      // Not dates.
                      DateCase{"29.02.2023", kD, nullptr}, DateCase{"before Aug-1996", kD, nullptr},
                      DateCase{"N/A", kD, nullptr}, DateCase{"", kD, nullptr},
                      DateCase{"2024-13-01", kD, nullptr},
                      DateCase{"2024-01-31T25:00:00Z", kD, nullptr},
                      DateCase{"99999999999999999999999999", kD, nullptr},
                      DateCase{"::::----////", kD, nullptr}));

TEST(WhoisDate, LongInputIsCutNotScanned) {
  std::string text = "2024-01-31" + std::string(100000, ' ') + "junk";
  EXPECT_EQ(ParseWhoisDate(text, DateOrder::kDayFirst).value_or(""), "2024-01-31T00:00:00Z");
}

}  // namespace
}  // namespace whois
