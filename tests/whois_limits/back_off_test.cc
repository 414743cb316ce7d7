#include "whois/limits/back_off.h"

#include <gtest/gtest.h>

#include <vector>

#include "limits_test_support.h"

namespace whois::limits {
namespace {

// Drives `b` through a cool-down and its probe, which then ends with `outcome` at the cool-down
// end; returns the verdict.
BackOffVerdict ProbeEndsWith(BackOff& b, int64_t cool_down_end_ms, Outcome outcome) {
  EXPECT_TRUE(b.AllowsStart(0));
  b.OnStart();
  EXPECT_FALSE(b.AllowsStart(0)) << "one probe only";
  return b.OnOutcome(outcome, cool_down_end_ms, std::nullopt);
}

TEST(BackOff, RefusalNamingAWaitCoolsDownExactlyThat) {
  BackOff b;
  const BackOffVerdict v = b.OnOutcome(Outcome::kRefused, kT0, 50'000);
  EXPECT_EQ(v.cool_down_until_ms, kT0 + 50'000);
  EXPECT_EQ(v.why, "refused our queries (strike 1)");
  EXPECT_TRUE(v.rate_changed);
  EXPECT_EQ(b.strikes(), 1);
  EXPECT_EQ(b.refusals(), 1);
  EXPECT_EQ(b.rate_permille(), 500);
  // A named wait shorter than the base does not shorten the cool-down.
  BackOff c;
  EXPECT_EQ(c.OnOutcome(Outcome::kRefused, kT0, 5'000).cool_down_until_ms,
            kT0 + BackOff::kBaseCoolDownMs);
}

TEST(BackOff, RepeatedStrikesDoubleTheCoolDownUpToTheCap) {
  BackOff b;
  int64_t now = kT0;
  BackOffVerdict v = b.OnOutcome(Outcome::kRefused, now, std::nullopt);
  std::vector<int64_t> waits{v.cool_down_until_ms - now};
  for (int i = 0; i < 9; ++i) {
    now = v.cool_down_until_ms;
    v = ProbeEndsWith(b, now, Outcome::kRefused);
    waits.push_back(v.cool_down_until_ms - now);
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{30'000, 60'000, 120'000, 240'000, 480'000, 960'000,
                                         1'920'000, 3'600'000, 3'600'000, 3'600'000}));
  EXPECT_EQ(b.strikes(), 10);
  EXPECT_EQ(v.why, "refused our probe after a cool-down (strike 10)");
  EXPECT_EQ(b.rate_permille(), BackOff::kMinRatePermille);
  // A named wait above the cap is honoured (up to a day).
  now = v.cool_down_until_ms;
  b.OnStart();
  v = b.OnOutcome(Outcome::kRefused, now, 3 * 3'600'000);
  EXPECT_EQ(v.cool_down_until_ms, now + 3 * 3'600'000);
}

TEST(BackOff, ResetBeforeDataStrikes) {
  BackOff b;
  const BackOffVerdict v = b.OnOutcome(Outcome::kReset, kT0, std::nullopt);
  EXPECT_EQ(v.cool_down_until_ms, kT0 + 30'000);
  EXPECT_EQ(v.why, "reset the connection before any data (strike 1)");
  EXPECT_EQ(b.refusals(), 0);
  EXPECT_TRUE(b.probe_due());
}

TEST(BackOff, ThreeTimeoutsInARowStrikeFewerDoNot) {
  BackOff b;
  EXPECT_EQ(b.OnOutcome(Outcome::kTimeout, kT0, std::nullopt).cool_down_until_ms, 0);
  EXPECT_EQ(b.OnOutcome(Outcome::kTimeout, kT0 + 1, std::nullopt).cool_down_until_ms, 0);
  EXPECT_EQ(b.strikes(), 0);
  EXPECT_EQ(b.OnOutcome(Outcome::kOk, kT0 + 2, std::nullopt).cool_down_until_ms, 0);  // run ends
  EXPECT_EQ(b.OnOutcome(Outcome::kTimeout, kT0 + 3, std::nullopt).cool_down_until_ms, 0);
  EXPECT_EQ(b.OnOutcome(Outcome::kTimeout, kT0 + 4, std::nullopt).cool_down_until_ms, 0);
  // Failures that never reached the server neither strike nor break the run.
  EXPECT_EQ(b.OnOutcome(Outcome::kOtherFailure, kT0 + 5, std::nullopt).cool_down_until_ms, 0);
  const BackOffVerdict v = b.OnOutcome(Outcome::kTimeout, kT0 + 6, std::nullopt);
  EXPECT_EQ(v.cool_down_until_ms, kT0 + 6 + 30'000);
  EXPECT_EQ(v.why, "timed out 3 times in a row (strike 1)");
  EXPECT_EQ(b.strikes(), 1);
}

TEST(BackOff, OtherFailuresNeverStrike) {
  BackOff b;
  for (int i = 0; i < 10; ++i) b.OnOutcome(Outcome::kOtherFailure, kT0 + i, std::nullopt);
  EXPECT_EQ(b.strikes(), 0);
  EXPECT_FALSE(b.probe_due());
  EXPECT_EQ(b.rate_permille(), 1000);
}

TEST(BackOff, OutcomesOfConnectionsOpenedBeforeTheStrikeAreOneEpisode) {
  BackOff b;
  b.OnOutcome(Outcome::kRefused, kT0, std::nullopt);
  // Four more parallel queries come back refused: counted, but no further strike.
  for (int i = 1; i <= 3; ++i) b.OnOutcome(Outcome::kRefused, kT0 + i, std::nullopt);
  EXPECT_EQ(b.OnOutcome(Outcome::kTimeout, kT0 + 4, std::nullopt).cool_down_until_ms, 0);
  EXPECT_EQ(b.strikes(), 1);
  EXPECT_EQ(b.refusals(), 4);
  EXPECT_EQ(b.rate_permille(), 500);
  // ... but a wait one of them names still extends the cool-down.
  EXPECT_EQ(b.OnOutcome(Outcome::kRefused, kT0 + 5, 90'000).cool_down_until_ms, kT0 + 90'005);
  EXPECT_FALSE(b.AllowsStart(1)) << "the probe waits for the old connections";
  EXPECT_TRUE(b.WaitsForCaller(1));
}

TEST(BackOff, ProbeOutcomes) {
  BackOff b;
  int64_t end = b.OnOutcome(Outcome::kReset, kT0, std::nullopt).cool_down_until_ms;
  // A probe that never reached the server allows another probe, with no strike.
  EXPECT_EQ(ProbeEndsWith(b, end, Outcome::kOtherFailure).cool_down_until_ms, 0);
  EXPECT_TRUE(b.probe_due());
  // A probe that times out is a strike at once.
  end = ProbeEndsWith(b, end, Outcome::kTimeout).cool_down_until_ms;
  EXPECT_EQ(b.strikes(), 2);
  EXPECT_TRUE(b.probe_due());
  EXPECT_FALSE(b.WaitsForCaller(0));
  // A successful probe reopens the host.
  EXPECT_EQ(ProbeEndsWith(b, end, Outcome::kOk).cool_down_until_ms, 0);
  EXPECT_FALSE(b.probe_due());
  EXPECT_TRUE(b.AllowsStart(4));
  EXPECT_EQ(b.strikes(), 2);  // forgiven only later
}

TEST(BackOff, RateHalvesPerStrikeAndRecoversByTenPercentPerTwentySuccesses) {
  BackOff b;
  int64_t end = b.OnOutcome(Outcome::kRefused, kT0, std::nullopt).cool_down_until_ms;
  EXPECT_EQ(b.rate_permille(), 500);
  EXPECT_EQ(b.Scale(8), 4);
  EXPECT_EQ(b.Scale(1), 1);  // never below one
  EXPECT_EQ(b.Scale(15), 7);
  for (int strike = 2; strike <= 5; ++strike) {
    end = ProbeEndsWith(b, end, Outcome::kRefused).cool_down_until_ms;
  }
  EXPECT_EQ(b.rate_permille(), 125);  // 1/2, 1/4, 1/8, then the floor
  EXPECT_EQ(b.Scale(100), 12);
  ProbeEndsWith(b, end, Outcome::kOk);  // success 1
  std::vector<int64_t> factors;
  for (int ok = 2; ok <= 180; ++ok) {
    const bool changed = b.OnOutcome(Outcome::kOk, end + ok, std::nullopt).rate_changed;
    EXPECT_EQ(changed, ok % 20 == 0) << ok;
    if (changed) factors.push_back(b.rate_permille());
  }
  EXPECT_EQ(factors, (std::vector<int64_t>{225, 325, 425, 525, 625, 725, 825, 925, 1000}));
}

TEST(BackOff, StrikesForgottenAfterFiftySuccessesOrAQuietHour) {
  BackOff b;
  int64_t end = b.OnOutcome(Outcome::kRefused, kT0, std::nullopt).cool_down_until_ms;
  end = ProbeEndsWith(b, end, Outcome::kRefused).cool_down_until_ms;
  ProbeEndsWith(b, end, Outcome::kOk);
  for (int ok = 2; ok < BackOff::kOksToForgetStrikes; ++ok) {
    b.OnOutcome(Outcome::kOk, end + ok, std::nullopt);
  }
  EXPECT_EQ(b.strikes(), 2);
  b.OnOutcome(Outcome::kTimeout, end + 100, std::nullopt);  // breaks the run
  for (int ok = 0; ok < BackOff::kOksToForgetStrikes - 1; ++ok) {
    b.OnOutcome(Outcome::kOk, end + 200 + ok, std::nullopt);
  }
  EXPECT_EQ(b.strikes(), 2);
  b.OnOutcome(Outcome::kOk, end + 300, std::nullopt);
  EXPECT_EQ(b.strikes(), 0);

  // A quiet hour after the cool-down: the next strike is a first strike again.
  BackOff q;
  end = q.OnOutcome(Outcome::kRefused, kT0, std::nullopt).cool_down_until_ms;
  ProbeEndsWith(q, end, Outcome::kOk);
  EXPECT_EQ(q.OnOutcome(Outcome::kRefused, end + 3'599'999, std::nullopt).cool_down_until_ms,
            end + 3'599'999 + 60'000);
  end = end + 3'599'999 + 60'000;
  ProbeEndsWith(q, end, Outcome::kOk);
  const int64_t later = end + BackOff::kStrikeMemoryMs;
  EXPECT_EQ(q.OnOutcome(Outcome::kRefused, later, std::nullopt).cool_down_until_ms, later + 30'000);
  EXPECT_EQ(q.strikes(), 1);
}

TEST(BackOff, OutcomeNames) {
  EXPECT_EQ(OutcomeName(Outcome::kOk), "ok");
  EXPECT_EQ(OutcomeName(Outcome::kNotFoundOrData), "ok");
  EXPECT_EQ(OutcomeName(Outcome::kRefused), "refused");
  EXPECT_EQ(OutcomeName(Outcome::kReset), "reset");
  EXPECT_EQ(OutcomeName(Outcome::kTimeout), "timeout");
  EXPECT_EQ(OutcomeName(Outcome::kOtherFailure), "other_failure");
}

}  // namespace
}  // namespace whois::limits
