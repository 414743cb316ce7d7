#include "whois/limits/back_off.h"

#include <algorithm>

#include "util/enum_names.h"

namespace whois::limits {
namespace {

// 2^20 × 30 s is far past the cap; a larger shift could overflow.
constexpr int64_t kMaxDoublings = 20;

std::string StrikePhrase(Outcome outcome, bool probe) {
  switch (outcome) {
    case Outcome::kRefused:
      return probe ? "refused our probe after a cool-down" : "refused our queries";
    case Outcome::kReset:
      return probe ? "reset our probe after a cool-down before any data"
                   : "reset the connection before any data";
    case Outcome::kTimeout:
      return probe ? "did not answer our probe after a cool-down"
                   : "timed out " + std::to_string(BackOff::kTimeoutsPerStrike) + " times in a row";
    case Outcome::kOk:
    case Outcome::kOtherFailure:
      break;
  }
  return "failed";
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  static constexpr util::EnumNames<Outcome::kOtherFailure> kNames(
      {"ok", "refused", "reset", "timeout", "other_failure"}, "unknown");
  return kNames.Name(outcome);
}

BackOffVerdict BackOff::OnOutcome(Outcome outcome, int64_t now_ms,
                                  std::optional<int64_t> named_wait_ms) {
  if (outcome == Outcome::kRefused) ++refusals_;
  BackOffVerdict verdict;
  if (probe_due_ && !probe_in_flight_) {
    // Stale: the connection was opened before the strike. Only a named wait still counts.
    if (outcome == Outcome::kRefused && named_wait_ms) {
      verdict.cool_down_until_ms = now_ms + std::clamp<int64_t>(*named_wait_ms, 0, kMaxNamedWaitMs);
      cool_down_end_ms_ = std::max(cool_down_end_ms_, verdict.cool_down_until_ms);
    }
    return verdict;
  }
  const bool probe = probe_in_flight_;
  switch (outcome) {
    case Outcome::kOk:
      probe_due_ = false;
      probe_in_flight_ = false;
      verdict.rate_changed = Succeed();
      return verdict;
    case Outcome::kRefused:
    case Outcome::kReset:
      return Strike(outcome, probe, now_ms, named_wait_ms);
    case Outcome::kTimeout:
      oks_in_row_ = 0;
      if (probe || ++timeouts_in_row_ >= kTimeoutsPerStrike) {
        return Strike(outcome, probe, now_ms, named_wait_ms);
      }
      return verdict;
    case Outcome::kOtherFailure:
      probe_in_flight_ = false;  // the probe never reached the server: another may go
      return verdict;
  }
  return verdict;
}

BackOffVerdict BackOff::Strike(Outcome outcome, bool probe, int64_t now_ms,
                               std::optional<int64_t> named_wait_ms) {
  if (strikes_ > 0 && now_ms - cool_down_end_ms_ >= kStrikeMemoryMs) strikes_ = 0;
  strikes_ = std::min(strikes_ + 1, kMaxDoublings + 1);
  const int64_t doubled = kBaseCoolDownMs << (strikes_ - 1);
  int64_t wait = std::min(doubled, kMaxCoolDownMs);
  if (named_wait_ms) wait = std::max(wait, std::min(*named_wait_ms, kMaxNamedWaitMs));
  cool_down_end_ms_ = now_ms + wait;
  timeouts_in_row_ = 0;
  oks_in_row_ = 0;
  oks_toward_step_ = 0;
  probe_due_ = true;
  probe_in_flight_ = false;
  const int64_t halved = std::max(rate_permille_ / 2, kMinRatePermille);
  BackOffVerdict verdict;
  verdict.cool_down_until_ms = cool_down_end_ms_;
  verdict.why = StrikePhrase(outcome, probe) + " (strike " + std::to_string(strikes_) + ")";
  verdict.rate_changed = halved != rate_permille_;
  rate_permille_ = halved;
  return verdict;
}

bool BackOff::Succeed() {
  timeouts_in_row_ = 0;
  if (++oks_in_row_ >= kOksToForgetStrikes) strikes_ = 0;
  if (rate_permille_ >= kFullRatePermille) return false;
  if (++oks_toward_step_ < kOksPerRecoveryStep) return false;
  oks_toward_step_ = 0;
  rate_permille_ = std::min(rate_permille_ + kRecoveryStepPermille, kFullRatePermille);
  return true;
}

void BackOff::OnStart() {
  if (probe_due_) probe_in_flight_ = true;
}

bool BackOff::AllowsStart(int64_t in_flight) const {
  return !probe_due_ || (!probe_in_flight_ && in_flight == 0);
}

bool BackOff::WaitsForCaller(int64_t in_flight) const {
  return probe_due_ && (probe_in_flight_ || in_flight > 0);
}

int64_t BackOff::Scale(int64_t count) const {
  return std::max<int64_t>(1, count * rate_permille_ / kFullRatePermille);
}

}  // namespace whois::limits
