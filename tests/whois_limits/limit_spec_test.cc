#include "whois/limits/limit_spec.h"

#include <gtest/gtest.h>

#include <sstream>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

// A spec as written and what is expected of it: its canonical form, or the error message.
struct SpecText {
  const char* input;
  const char* expected;
};

TEST(LimitSpec, AcceptsAndRoundTrips) {
  const SpecText cases[] = {
      {"concurrency 4", "concurrency 4"},
      {"rate 5/s", "rate 5/s"},
      {"rate 15/m", "rate 15/m"},
      {"rate 1800/15m rate 5/s", "rate 1800/15m rate 5/s"},
      {"rate 100/60m", "rate 100/h"},
      {"rate 10/1s burst 20", "rate 10/s burst 20"},
      {"daily 1000 rate 5/s concurrency 2", "concurrency 2 rate 5/s daily 1000"},
      {"daily 5 daily-reset utc", "daily 5 daily-reset utc"},
      {"rate 1000/d", "rate 1000/d"},
  };
  for (const SpecText& c : cases) {
    SCOPED_TRACE(c.input);
    const LimitSpec spec = Spec(c.input);  // a parse error fails the test
    EXPECT_EQ(FormatLimitSpec(spec), c.expected);
    EXPECT_EQ(Spec(FormatLimitSpec(spec)), spec);  // the canonical form reads back the same
  }
  EXPECT_EQ(Spec("rate 1800/15m").rates[0], (RateLimit{1800, 15 * 60 * 1000}));
}

TEST(LimitSpec, RejectsWithMessages) {
  const SpecText cases[] = {
      {"", "no limits given; write at least one of concurrency N, rate N/<s|m|h|d>, daily N"},
      {"speed 5",
       "unknown key 'speed' (expected concurrency, rate, burst, daily, daily-reset or scope)"},
      {"concurrency", "'concurrency' needs a value"},
      {"concurrency 0", "concurrency '0': must be a whole number from 1 to 1000"},
      {"concurrency -1", "concurrency '-1': must be a whole number from 1 to 1000"},
      {"concurrency 2 concurrency 3", "'concurrency' given twice"},
      {"rate 5", "rate '5': expected COUNT/WINDOW, e.g. 5/s, 15/m, 100/h, 1800/15m"},
      {"rate 5/x", "rate '5/x': unit must be s, m, h or d (e.g. 5/s, 1800/15m)"},
      {"rate 5/", "rate '5/': unit must be s, m, h or d (e.g. 5/s, 1800/15m)"},
      {"rate x/s", "rate 'x/s': count must be a whole number from 1 to 100000"},
      {"rate 0/s", "rate '0/s': count must be a whole number from 1 to 100000"},
      {"rate 5/0m", "rate '5/0m': window length must be a whole number before the unit, e.g. 15m"},
      {"rate 5/2d", "rate '5/2d': window longer than a day; use 'daily' instead"},
      {"burst 10", "burst needs a rate to refill at, e.g. 'rate 5/s burst 10'"},
      {"daily abc", "daily 'abc': must be a whole number from 1 to 100000000"},
      {"daily-reset utc", "daily-reset needs a daily cap, e.g. 'daily 1000 daily-reset utc'"},
      {"daily 5 daily-reset weekly", "daily-reset 'weekly': must be rolling or utc"},
  };
  for (const SpecText& c : cases) {
    auto parsed = ParseLimitSpec(Words(c.input));
    ASSERT_TRUE(!parsed.ok()) << c.input;
    EXPECT_EQ(parsed.status().message(), c.expected) << c.input;
  }
}

TEST(LimitSpec, FormatsDurations) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1s");
  EXPECT_EQ(FormatDuration(45000), "45s");
  EXPECT_EQ(FormatDuration(200000), "3m20s");
  EXPECT_EQ(FormatDuration((3 * 3600 + 12 * 60 + 5) * 1000), "3h12m");
  EXPECT_EQ(FormatDuration(kMsPerDay + 3600000), "1d1h");
}

}  // namespace
}  // namespace whois::limits
