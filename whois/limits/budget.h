// The limits of one budget of an upstream host: what one client address (or one network of
// them, or the whole proxy; see budget_key.h) may spend there. Concurrency, exact sliding
// windows, token bucket, daily quota with its durable reservations, cool-down and back-off all
// live here, so a refusal on one address cools that address down and leaves the others alone.
// HostScheduler owns a host's budgets and its queue; this class only answers "may one more
// start now, and when" and keeps the accounts. Pure: no clock, no I/O.
//
// When a start counts. A registry counts a query when it arrives, and the proxy cannot write it
// at the moment it is admitted: name resolution, connecting and a busy loop come in between.
// Had the start been recorded at admission, a query admitted at t and delayed to t + d could
// arrive next to one admitted a window later and sent at once: N + 1 arrivals in one window
// of the registry's. So a start is recorded in the windows and the bucket when its query is
// written (OnSent), and between admission and that moment it is "unsent" and counts in every
// window as if it had just happened, whatever its age. Then no window of length W (the
// configured window plus its jitter margin) ever holds more than N writes: of N + 1 writes in
// a span shorter than W, take the one admitted last, at a; each of the other N was admitted
// before a and was then either unsent (counted) or written at a time within the span, hence
// after a - W (counted); with N counted, the last one could not have been admitted. Starts
// that end without being written (the connection failed) are recorded when they end: the
// registry may have counted the attempt. With `count_when_sent` off (tests that model an
// instant write, or a caller that cannot tell), Start records at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "whois/limits/back_off.h"
#include "whois/limits/daily_quota.h"
#include "whois/limits/limit_spec.h"
#include "whois/limits/sliding_window.h"
#include "whois/limits/token_bucket.h"

namespace whois::limits {

// Retry delay for a reservation that failed to be stored.
inline constexpr int64_t kReservationRetryMs = 1000;

// One budget's live figures.
struct BudgetStats {
  std::string key;                     // see BudgetKey; "" is the whole proxy
  std::vector<std::string> addresses;  // the source addresses spending from it now
  int64_t admitted = 0;
  int64_t in_flight = 0;
  int64_t used_today = 0;  // daily quota used; 0 without a cap
  int64_t daily_cap = 0;
  int64_t cooldown_until_ms = 0;
  int64_t strikes = 0;
  bool probing = false;
  int64_t rate_factor_percent = 100;
  int64_t refusals = 0;
  // Starts in the shortest configured window ending at now (unsent ones included) and that
  // rate's count at the current rate factor; all 0 without rates.
  int64_t window_count = 0;
  int64_t window_limit = 0;
  int64_t window_ms = 0;
};

class Budget {
 public:
  Budget(std::string key, const LimitSpec& spec, int64_t now_ms, bool count_when_sent);

  // See HostScheduler::SetSpec: the history stays and applies to the new limits.
  void SetSpec(const LimitSpec& spec, int64_t now_ms);
  // See HostScheduler::AssumeFullAt.
  void AssumeFullAt(int64_t start_ms);
  void CoolDownUntil(int64_t until_ms, std::string why);
  void OnOutcome(Outcome outcome, int64_t now_ms, std::optional<int64_t> named_wait_ms);

  // Whether one more start may happen now (concurrency, cool-down, probe, windows, bucket,
  // usable quota).
  bool CanStartNow(int64_t now_ms) const;
  // Admits one start: a concurrency slot, a unit of daily quota, and (see the file comment)
  // an unsent start, or a recorded one without count_when_sent.
  void Start(int64_t now_ms);
  // The query of an admitted start was written at now_ms: it counts from then on. With
  // count_when_sent, call exactly once per Start, before its Release: at the write, or when
  // the start ends without one (the registry may have counted the attempt). A no-op without.
  void OnSent(int64_t now_ms);
  // Frees a concurrency slot. False if none was held.
  bool Release();

  // Lower bounds on the next `count` starts from windows, bucket and cool-down (concurrency
  // and probes ignored); unsent starts count as made at now_ms.
  std::vector<int64_t> RateSchedule(size_t count, int64_t now_ms) const;
  // When the windows and bucket let the next start happen (kNeverMs while unsent starts fill
  // a window: OnSent is the caller's event), ignoring cool-down, concurrency and quota.
  int64_t NextRateMs(int64_t now_ms) const;
  // The earliest time `units` units of daily quota are usable; now_ms without a cap.
  int64_t QuotaEarliest(int64_t units, int64_t now_ms) const;
  // When a waiting request could start here, for the scheduler's timer: kNeverMs when only
  // an event (a release, a probe's outcome, a stored reservation, a write) can change it.
  int64_t WakeMs(int64_t now_ms) const;

  // Daily quota reservations (see daily_quota.h).
  void Replenish(int64_t now_ms, int64_t wanted);
  std::optional<ReservationRequest> TakeReservation();
  bool OnReserved(const QuotaBlock& block, int64_t now_ms);
  void OnReservationFailed(const QuotaBlock& block, int64_t now_ms);
  void RestoreQuota(const std::vector<QuotaBlock>& blocks, int64_t now_ms);
  void AssumeQuotaExhaustedAt(int64_t now_ms);
  bool HasQuota() const { return quota_.has_value(); }

  BudgetStats Stats(int64_t now_ms) const;

  const std::string& key() const { return key_; }
  const LimitSpec& spec() const { return spec_; }
  const BackOff& back_off() const { return back_off_; }
  int64_t in_flight() const { return in_flight_; }
  int64_t cooldown_until_ms() const { return cooldown_until_ms_; }
  // Completes "<host> ", e.g. "refused our queries (strike 2)".
  const std::string& cooldown_why() const { return cooldown_why_; }

 private:
  void BuildLimiters(int64_t now_ms);
  void Record(int64_t now_ms);

  std::string key_;
  LimitSpec spec_;
  bool count_when_sent_;
  SlidingWindow log_;                              // recent starts, the history new windows inherit
  std::vector<SlidingWindow> windows_;             // every spec rate except a bucket's
  std::optional<TokenBucket> bucket_;              // spec.rates[0] when spec.burst > 0
  std::optional<DailyQuota> quota_;                // when spec.daily > 0
  std::optional<ReservationRequest> reservation_;  // not yet taken by the caller
  int64_t reserve_not_before_ms_ = 0;  // after a failed store, so a broken store is not hammered
  int64_t in_flight_ = 0;
  int64_t unsent_ = 0;  // admitted, query not yet written (see the file comment)
  int64_t cooldown_until_ms_ = 0;
  std::string cooldown_why_;
  BackOff back_off_;
  int64_t admitted_ = 0;
};

}  // namespace whois::limits
