// Back-off for one upstream host: how a started query ended decides whether the host goes into
// cool-down, whether the next start is a lone probe, and how much of its configured rate we use.
// WHOIS servers ban clients that keep exceeding their limits, so a sign of having exceeded one
// (a refusal, a reset before any data, repeated timeouts) makes us slower at once and faster
// again only slowly (additive increase, multiplicative decrease, as TCP does).
//
// The policy, with the constants below:
//   Strike      kRefused or kReset, kTimeoutsPerStrike kTimeout in a row (one timeout is network
//               noise), or a failed probe. kOtherFailure (DNS, the OS refusing the connection:
//               the server never saw us) never strikes and leaves the timeout run as it is.
//   Cool-down   a strike forbids starts until now + max(named wait, kBaseCoolDownMs ×
//               2^(strikes-1) capped at kMaxCoolDownMs). A wait the server names is kept even
//               above the cap (up to kMaxNamedWaitMs), since the server knows its own ban.
//   Probe       after the cool-down, one start is allowed, and only with no connection open (so
//               the next outcome reported is the probe's); no other start until its outcome.
//               kOk ends probing; kRefused, kReset or kTimeout is a new strike; kOtherFailure
//               allows another probe.
//   Stale       outcomes reported during a cool-down or before the probe started come from
//               connections opened before the strike: they count in refusals and a named wait
//               extends the cool-down, but they neither strike nor count as successes (five
//               parallel queries refused together are one episode, not five strikes).
//   Rate        each strike halves the rate factor, down to kMinRatePermille (1/8); every
//               kOksPerRecoveryStep kOk outcomes since the last strike or step add
//               kRecoveryStepPermille (10% of the full rate) back, up to 100%. Every window's count
//               and the bucket's capacity and refill become floor(N × factor), at least 1.
//   Forgetting  strikes return to 0 after kOksToForgetStrikes kOk in a row, or when a strike
//               comes kStrikeMemoryMs or more after the previous cool-down ended. The rate factor
//               recovers only by successes.
//
// Pure: time is passed in. The scheduler applies the verdicts (HostScheduler::OnOutcome).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "whois/limits/limit_spec.h"

namespace whois::limits {

// How a started query ended, as the caller saw it.
enum class Outcome : uint8_t {
  kOk,                    // the server answered with data (or "not found")
  kNotFoundOrData = kOk,  // the same: an answer is an answer
  kRefused,               // the reply is a refusal ("Query rate limit exceeded", ...)
  kReset,                 // the connection was reset (or closed) before any data
  kTimeout,               // no complete answer before the lookup timeout
  kOtherFailure,          // DNS failure, connection refused by the OS, ...: never reached it
};
inline constexpr size_t kOutcomes = 5;  // the distinct values above
// Stable names for logs: "ok", "refused", "reset", "timeout", "other_failure".
std::string_view OutcomeName(Outcome outcome);

// What the scheduler must do after an outcome.
struct BackOffVerdict {
  int64_t cool_down_until_ms = 0;  // 0: nothing; else no start before this time
  std::string why;                 // empty: keep the current reason; else e.g.
                                   // "refused our queries (strike 2)"
  bool rate_changed = false;       // the rate factor moved: rebuild the limiters
};

class BackOff {
 public:
  // 30 s clears the per-second and most of a per-minute window that a refusal usually means,
  // yet idles a host that refused once by accident only briefly.
  static constexpr int64_t kBaseCoolDownMs = 30'000;
  // An hour outlasts every common window below a day (daily bans name their wait), and a probe
  // an hour is nothing to a server: 30 s doubled reaches it at the 8th strike.
  static constexpr int64_t kMaxCoolDownMs = 3'600'000;
  // A named wait beyond a day is taken as a day: likely a parse error, and the daily quota is
  // the place for longer limits.
  static constexpr int64_t kMaxNamedWaitMs = kMsPerDay;
  // One timeout is network noise; three in a row without a success is a host that stalls
  // clients it is throttling (several registries do rather than refuse).
  static constexpr int64_t kTimeoutsPerStrike = 3;
  // Rate factor in thousandths: halved per strike, never below 1/8, so a throttled host still
  // gets some queries and recovers within a bounded number of successes.
  static constexpr int64_t kFullRatePermille = 1000;
  static constexpr int64_t kMinRatePermille = 125;
  // +10% of the full rate per 20 successes: from 1/2 to full in 100 successes, from 1/8 in 180;
  // at a lowered per-second or per-minute rate that is many windows without a complaint.
  static constexpr int64_t kRecoveryStepPermille = 100;
  static constexpr int64_t kOksPerRecoveryStep = 20;
  // 50 successes in a row, or a quiet hour after the cool-down, make the past forgiven.
  static constexpr int64_t kOksToForgetStrikes = 50;
  static constexpr int64_t kStrikeMemoryMs = 3'600'000;

  // Records how a query ended (after its Release); `named_wait_ms` is the wait a refusal names.
  BackOffVerdict OnOutcome(Outcome outcome, int64_t now_ms, std::optional<int64_t> named_wait_ms);

  // A start was made. If a probe was due, this start is the probe.
  void OnStart();
  // Whether the probe rule allows a start now, with `in_flight` connections open and the
  // cool-down over (the caller checks the cool-down).
  bool AllowsStart(int64_t in_flight) const;
  // True when no start can happen before the caller reports a Release or an outcome.
  bool WaitsForCaller(int64_t in_flight) const;

  // floor(count × factor), at least 1.
  int64_t Scale(int64_t count) const;

  // A strike is unresolved: its cool-down runs, or the probe after it is due or in flight.
  bool probe_due() const { return probe_due_; }
  bool probe_in_flight() const { return probe_in_flight_; }
  int64_t strikes() const { return strikes_; }
  int64_t rate_permille() const { return rate_permille_; }
  int64_t refusals() const { return refusals_; }

 private:
  BackOffVerdict Strike(Outcome outcome, bool probe, int64_t now_ms,
                        std::optional<int64_t> named_wait_ms);
  bool Succeed();  // true if the rate factor moved

  int64_t strikes_ = 0;
  int64_t timeouts_in_row_ = 0;
  int64_t oks_in_row_ = 0;
  int64_t oks_toward_step_ = 0;
  int64_t rate_permille_ = kFullRatePermille;
  int64_t refusals_ = 0;
  int64_t cool_down_end_ms_ = 0;  // of the last strike
  bool probe_due_ = false;        // set by a strike, cleared by a successful probe
  bool probe_in_flight_ = false;
};

}  // namespace whois::limits
