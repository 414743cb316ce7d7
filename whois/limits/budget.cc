#include "whois/limits/budget.h"

#include <algorithm>

namespace whois::limits {
namespace {

// The start log keeps at least this many starts so that a window added at run time still sees
// the recent past.
constexpr int64_t kMinLogStarts = 256;

int64_t LogSize(const LimitSpec& spec) {
  int64_t n = kMinLogStarts;
  for (const RateLimit& r : spec.rates) n = std::max(n, r.count);
  return n;
}

// The earliest time >= now_ms a window allows one more start when `unsent` starts will be
// recorded no earlier than now_ms; kNeverMs if they alone fill it.
int64_t WindowNextMs(const SlidingWindow& w, int64_t unsent, int64_t now_ms) {
  const int64_t room = w.limit() - unsent;  // recorded starts the window may still hold
  if (room <= 0) return kNeverMs;
  if (static_cast<size_t>(room) > w.kept()) return now_ms;
  return std::max(now_ms, w.RecentStart(static_cast<size_t>(room)) + w.window_ms());
}

}  // namespace

Budget::Budget(std::string key, const LimitSpec& spec, int64_t now_ms, bool count_when_sent)
    : key_(std::move(key)),
      spec_(spec),
      count_when_sent_(count_when_sent),
      log_(LogSize(spec), kMsPerDay) {
  BuildLimiters(now_ms);
  if (spec_.daily > 0) quota_.emplace(spec_.daily, spec_.day);
}

void Budget::BuildLimiters(int64_t now_ms) {
  std::optional<TokenBucket> old_bucket = std::move(bucket_);
  bucket_.reset();
  windows_.clear();
  for (size_t i = 0; i < spec_.rates.size(); ++i) {
    const RateLimit& r = spec_.rates[i];
    if (i == 0 && spec_.burst > 0) {
      const int64_t burst = back_off_.Scale(spec_.burst);
      const int64_t refill = back_off_.Scale(r.count);
      if (old_bucket) {
        bucket_.emplace(burst, refill, r.window_ms + JitterMarginMs(r.window_ms), now_ms,
                        *old_bucket);
      } else {
        bucket_.emplace(burst, refill, r.window_ms + JitterMarginMs(r.window_ms), now_ms);
        // A bucket switched on at run time must not grant a burst on top of recent starts.
        if (log_.kept() > 0 && log_.RecentStart(1) > now_ms - r.window_ms) {
          bucket_->AssumeEmptyAt(now_ms);
        }
      }
      continue;
    }
    windows_.emplace_back(back_off_.Scale(r.count), r.window_ms + JitterMarginMs(r.window_ms),
                          log_);
  }
}

void Budget::SetSpec(const LimitSpec& spec, int64_t now_ms) {
  spec_ = spec;
  log_ = SlidingWindow(LogSize(spec_), kMsPerDay, log_);
  BuildLimiters(now_ms);
  if (spec_.daily == 0) {
    quota_.reset();
    reservation_.reset();
  } else if (quota_) {
    quota_->SetCap(spec_.daily, spec_.day, now_ms);
  } else {
    quota_.emplace(spec_.daily, spec_.day);
    const int64_t used = log_.CountAt(now_ms);
    if (used > 0) quota_->Restore({{log_.RecentStart(static_cast<size_t>(used)), used}}, now_ms);
  }
}

void Budget::AssumeFullAt(int64_t start_ms) {
  log_.AssumeFullAt(start_ms);
  for (SlidingWindow& w : windows_) w.AssumeFullAt(start_ms);
  if (bucket_) {
    const RateLimit& r = spec_.rates[0];
    bucket_.emplace(back_off_.Scale(spec_.burst), back_off_.Scale(r.count),
                    r.window_ms + JitterMarginMs(r.window_ms), start_ms);
    bucket_->AssumeEmptyAt(start_ms);
  }
}

void Budget::CoolDownUntil(int64_t until_ms, std::string why) {
  if (until_ms <= cooldown_until_ms_) return;
  cooldown_until_ms_ = until_ms;
  cooldown_why_ = "refused our queries (" + std::move(why) + ")";
}

void Budget::OnOutcome(Outcome outcome, int64_t now_ms, std::optional<int64_t> named_wait_ms) {
  BackOffVerdict verdict = back_off_.OnOutcome(outcome, now_ms, named_wait_ms);
  if (verdict.cool_down_until_ms > cooldown_until_ms_) {
    cooldown_until_ms_ = verdict.cool_down_until_ms;
  }
  if (!verdict.why.empty()) cooldown_why_ = std::move(verdict.why);
  if (verdict.rate_changed) BuildLimiters(now_ms);
}

int64_t Budget::NextRateMs(int64_t now_ms) const {
  int64_t t = now_ms;
  for (const SlidingWindow& w : windows_) t = std::max(t, WindowNextMs(w, unsent_, now_ms));
  if (bucket_ && t != kNeverMs) {
    TokenBucket bucket = *bucket_;
    for (int64_t i = 0; i < unsent_; ++i) bucket.Take(now_ms);
    t = std::max(t, bucket.NextAllowedMs(now_ms));
  }
  return t;
}

bool Budget::CanStartNow(int64_t now_ms) const {
  if (spec_.concurrency > 0 && in_flight_ >= spec_.concurrency) return false;
  if (now_ms < cooldown_until_ms_ || !back_off_.AllowsStart(in_flight_)) return false;
  if (NextRateMs(now_ms) > now_ms) return false;
  return !quota_ || quota_->UsableAt(now_ms) > 0;
}

void Budget::Record(int64_t now_ms) {
  log_.Record(now_ms);
  for (SlidingWindow& w : windows_) w.Record(now_ms);
  if (bucket_) bucket_->Take(now_ms);
}

void Budget::Start(int64_t now_ms) {
  if (count_when_sent_) {
    ++unsent_;
  } else {
    Record(now_ms);
  }
  if (quota_) quota_->TryConsume(now_ms);
  back_off_.OnStart();
  ++in_flight_;
  ++admitted_;
}

void Budget::OnSent(int64_t now_ms) {
  if (!count_when_sent_ || unsent_ == 0) return;
  --unsent_;
  Record(now_ms);
}

bool Budget::Release() {
  if (in_flight_ == 0) return false;
  --in_flight_;
  return true;
}

std::vector<int64_t> Budget::RateSchedule(size_t count, int64_t now_ms) const {
  // Unsent starts will be recorded at now_ms at the earliest: simulated first, then the
  // `count` starts asked for.
  const size_t unsent = static_cast<size_t>(unsent_);
  std::vector<int64_t> starts(unsent, now_ms);
  starts.reserve(unsent + count);
  std::optional<TokenBucket> bucket = bucket_;
  if (bucket) {
    for (size_t i = 0; i < unsent; ++i) bucket->Take(now_ms);
  }
  int64_t t = std::max(now_ms, cooldown_until_ms_);
  for (size_t j = unsent; j < unsent + count; ++j) {
    // Greedy: the j-th future start is the earliest time every window allows given the starts
    // before it, recorded and simulated. Each constraint has the form t >= x, so one pass holds.
    for (const SlidingWindow& w : windows_) {
      const size_t n = static_cast<size_t>(w.limit());
      if (j >= n) {
        t = std::max(t, starts[j - n] + w.window_ms());
      } else if (n - j <= w.kept()) {
        t = std::max(t, w.RecentStart(n - j) + w.window_ms());
      }
    }
    if (bucket) {
      t = bucket->NextAllowedMs(t);
      bucket->Take(t);
    }
    starts.push_back(t);
  }
  return std::vector<int64_t>(starts.begin() + static_cast<std::ptrdiff_t>(unsent), starts.end());
}

int64_t Budget::QuotaEarliest(int64_t units, int64_t now_ms) const {
  if (!quota_) return now_ms;
  return quota_->EarliestUnitsMs(units, now_ms);
}

int64_t Budget::WakeMs(int64_t now_ms) const {
  if ((spec_.concurrency > 0 && in_flight_ >= spec_.concurrency) ||
      back_off_.WaitsForCaller(in_flight_)) {
    return kNeverMs;
  }
  int64_t head = NextRateMs(now_ms);
  if (head == kNeverMs) return kNeverMs;
  head = std::max(head, cooldown_until_ms_);
  if (quota_ && quota_->UsableAt(now_ms) == 0) {
    if (quota_->pending() || reservation_) {
      return kNeverMs;  // OnReserved is the caller's event
    } else if (quota_->EarliestUnitsMs(1, now_ms) <= now_ms) {
      head = std::max(head, std::max(now_ms, reserve_not_before_ms_));
    } else {
      head = std::max(head, quota_->EarliestUnitsMs(1, now_ms));
    }
  }
  return head;
}

void Budget::Replenish(int64_t now_ms, int64_t wanted) {
  if (!quota_ || reservation_ || now_ms < reserve_not_before_ms_) return;
  // One unit for each waiting request; the low-water mark in DailyQuota keeps a reserve ahead.
  reservation_ = quota_->MaybeReserve(now_ms, wanted);
}

std::optional<ReservationRequest> Budget::TakeReservation() {
  std::optional<ReservationRequest> out = std::move(reservation_);
  reservation_.reset();
  return out;
}

bool Budget::OnReserved(const QuotaBlock& block, int64_t now_ms) {
  return quota_ && quota_->OnReserved(block, now_ms);
}

void Budget::OnReservationFailed(const QuotaBlock& block, int64_t now_ms) {
  if (!quota_) return;
  quota_->OnReservationFailed(block);
  reserve_not_before_ms_ = now_ms + kReservationRetryMs;
}

void Budget::RestoreQuota(const std::vector<QuotaBlock>& blocks, int64_t now_ms) {
  if (quota_) quota_->Restore(blocks, now_ms);
}

void Budget::AssumeQuotaExhaustedAt(int64_t now_ms) {
  if (quota_) quota_->AssumeExhaustedAt(now_ms);
}

BudgetStats Budget::Stats(int64_t now_ms) const {
  BudgetStats s;
  s.key = key_;
  s.admitted = admitted_;
  s.in_flight = in_flight_;
  if (quota_) {
    s.used_today = quota_->UsedAt(now_ms);
    s.daily_cap = quota_->cap();
  }
  s.cooldown_until_ms = cooldown_until_ms_;
  s.strikes = back_off_.strikes();
  s.probing = back_off_.probe_due() && now_ms >= cooldown_until_ms_;
  s.rate_factor_percent = back_off_.rate_permille() / 10;
  s.refusals = back_off_.refusals();
  const RateLimit* shortest = nullptr;
  for (const RateLimit& r : spec_.rates) {
    if (shortest == nullptr || r.window_ms < shortest->window_ms) shortest = &r;
  }
  if (shortest != nullptr) {
    s.window_ms = shortest->window_ms;
    s.window_limit = back_off_.Scale(shortest->count);
    s.window_count = unsent_;
    for (size_t i = 1; i <= log_.kept() && log_.RecentStart(i) > now_ms - s.window_ms; ++i) {
      if (log_.RecentStart(i) <= now_ms) ++s.window_count;
    }
  }
  return s;
}

}  // namespace whois::limits
