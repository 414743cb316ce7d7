#include "whois/limits/host_scheduler.h"

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

int64_t CeilSeconds(int64_t ms) { return std::max<int64_t>(1, (ms + 999) / 1000); }

std::string RatesText(const LimitSpec& spec, const BackOff& back_off) {
  std::string out;
  for (const RateLimit& r : spec.rates) out += (out.empty() ? "" : ", ") + FormatRate(r);
  if (spec.burst > 0) out += " burst " + std::to_string(spec.burst);
  if (back_off.rate_permille() < BackOff::kFullRatePermille) {
    const int64_t p = back_off.rate_permille();
    out += ", lowered to " + std::to_string(p / 10) + (p % 10 ? "." + std::to_string(p % 10) : "") +
           "% after refusals";
  }
  return out;
}

}  // namespace

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kRateLimited:
      return "rate_limited";
    case RejectReason::kDailyLimit:
      return "daily_limit";
    case RejectReason::kQueueFull:
      return "queue_full";
    case RejectReason::kDeadlineExceeded:
      return "deadline_exceeded";
  }
  return "unknown";
}

HostScheduler::HostScheduler(std::string host, const LimitSpec& spec, size_t max_queue,
                             int64_t now_ms)
    : host_(std::move(host)),
      spec_(spec),
      max_queue_(std::max<size_t>(max_queue, 1)),
      log_(LogSize(spec), kMsPerDay) {
  BuildLimiters(now_ms);
  if (spec_.daily > 0) quota_.emplace(spec_.daily, spec_.day);
}

void HostScheduler::BuildLimiters(int64_t now_ms) {
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

void HostScheduler::SetSpec(const LimitSpec& spec, int64_t now_ms) {
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

void HostScheduler::AssumeFullAt(int64_t start_ms) {
  log_.AssumeFullAt(start_ms);
  for (SlidingWindow& w : windows_) w.AssumeFullAt(start_ms);
  if (bucket_) {
    const RateLimit& r = spec_.rates[0];
    bucket_.emplace(back_off_.Scale(spec_.burst), back_off_.Scale(r.count),
                    r.window_ms + JitterMarginMs(r.window_ms), start_ms);
    bucket_->AssumeEmptyAt(start_ms);
  }
}

void HostScheduler::CoolDownUntil(int64_t until_ms, std::string why) {
  if (until_ms <= cooldown_until_ms_) return;
  cooldown_until_ms_ = until_ms;
  cooldown_why_ = "refused our queries (" + std::move(why) + ")";
}

void HostScheduler::OnOutcome(Outcome outcome, int64_t now_ms,
                              std::optional<int64_t> named_wait_ms) {
  ++outcomes_[static_cast<size_t>(outcome)];
  BackOffVerdict verdict = back_off_.OnOutcome(outcome, now_ms, named_wait_ms);
  if (verdict.cool_down_until_ms > cooldown_until_ms_) {
    cooldown_until_ms_ = verdict.cool_down_until_ms;
  }
  if (!verdict.why.empty()) cooldown_why_ = std::move(verdict.why);
  if (verdict.rate_changed) BuildLimiters(now_ms);
}

bool HostScheduler::CanStartNow(int64_t now_ms) const {
  if (spec_.concurrency > 0 && in_flight_ >= spec_.concurrency) return false;
  if (now_ms < cooldown_until_ms_ || !back_off_.AllowsStart(in_flight_)) return false;
  for (const SlidingWindow& w : windows_) {
    if (!w.Allows(now_ms)) return false;
  }
  if (bucket_ && !bucket_->Allows(now_ms)) return false;
  return !quota_ || quota_->UsableAt(now_ms) > 0;
}

void HostScheduler::Start(int64_t now_ms) {
  log_.Record(now_ms);
  for (SlidingWindow& w : windows_) w.Record(now_ms);
  if (bucket_) bucket_->Take(now_ms);
  if (quota_) quota_->TryConsume(now_ms);
  back_off_.OnStart();
  ++in_flight_;
  ++admitted_;
}

std::vector<int64_t> HostScheduler::RateSchedule(size_t count, int64_t now_ms) const {
  std::vector<int64_t> starts;
  starts.reserve(count);
  std::optional<TokenBucket> bucket = bucket_;
  int64_t t = std::max(now_ms, cooldown_until_ms_);
  for (size_t j = 0; j < count; ++j) {
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
  return starts;
}

int64_t HostScheduler::QuotaEarliest(size_t ahead, int64_t now_ms) const {
  if (!quota_) return now_ms;
  return quota_->EarliestUnitsMs(static_cast<int64_t>(ahead) + 1, now_ms);
}

size_t HostScheduler::Ahead(Priority priority) const {
  size_t n = 0;
  for (size_t p = 0; p <= static_cast<size_t>(priority); ++p) n += queues_[p].size();
  return n;
}

size_t HostScheduler::QueuedCount() const { return Ahead(Priority::kBackground); }

Rejection HostScheduler::Reject(RejectReason reason, int64_t at_ms, int64_t now_ms, size_t ahead) {
  ++rejected_[static_cast<size_t>(reason)];
  Rejection r;
  r.reason = reason;
  r.retry_after_s = at_ms == kNeverMs ? kMsPerDay / 1000 : CeilSeconds(at_ms - now_ms);
  const std::string wait =
      FormatDuration(at_ms == kNeverMs ? kMsPerDay : std::max<int64_t>(at_ms - now_ms, 1));
  const std::string queued =
      ahead > 0 ? " (" + std::to_string(ahead) + " queued ahead)" : std::string();
  switch (reason) {
    case RejectReason::kDailyLimit:
      r.message = "daily limit of " + std::to_string(spec_.daily) + " queries " +
                  (ahead > 0 ? "leaves no turn before the deadline for " + host_ + queued
                             : "reached for " + host_) +
                  "; resets in " + wait;
      break;
    case RejectReason::kRateLimited:
      if (cooldown_until_ms_ > now_ms && at_ms <= cooldown_until_ms_ + 1) {
        r.message = host_ + " " + cooldown_why_ + "; cooling down for " +
                    FormatDuration(cooldown_until_ms_ - now_ms);
      } else {
        r.message = "rate limit of " + host_ + " (" + RatesText(spec_, back_off_) +
                    ") allows the next start in " + wait + queued + ", after the deadline";
      }
      break;
    case RejectReason::kQueueFull:
      r.message = "queue for " + host_ + " is full (" + std::to_string(ahead) +
                  " waiting); retry in " + wait;
      break;
    case RejectReason::kDeadlineExceeded:
      r.message =
          "no connection to " + host_ + " could start before the deadline (" +
          (back_off_.probe_due() && now_ms >= cooldown_until_ms_
               ? "probing after a cool-down: one connection until it answers"
               : std::to_string(in_flight_) + " open, concurrency " +
                     (spec_.concurrency > 0 ? std::to_string(spec_.concurrency) : "unlimited")) +
          ")" + queued;
      break;
  }
  return r;
}

Admission HostScheduler::Submit(RequestId id, Priority priority, int64_t deadline_ms,
                                int64_t now_ms) {
  const size_t ahead = Ahead(priority);
  if (ahead == 0 && deadline_ms >= now_ms && CanStartNow(now_ms)) {
    Start(now_ms);
    Replenish(now_ms);
    return Admitted{};
  }
  const size_t queued = QueuedCount();
  if (queued >= max_queue_) {
    return Reject(RejectReason::kQueueFull, RateSchedule(queued, now_ms).back(), now_ms, queued);
  }
  const int64_t quota_at = QuotaEarliest(ahead, now_ms);
  if (quota_at > deadline_ms) return Reject(RejectReason::kDailyLimit, quota_at, now_ms, ahead);
  const int64_t rate_at = RateSchedule(ahead + 1, now_ms).back();
  if (rate_at > deadline_ms) return Reject(RejectReason::kRateLimited, rate_at, now_ms, ahead);
  queues_[static_cast<size_t>(priority)].push_back({id, deadline_ms});
  Replenish(now_ms);
  return Queued{std::max(rate_at, quota_at), ahead};
}

bool HostScheduler::Release(int64_t /*now_ms*/) {
  if (in_flight_ == 0) return false;
  --in_flight_;
  return true;
}

std::vector<RequestId> HostScheduler::Poll(int64_t now_ms) {
  std::vector<RequestId> started;
  for (auto& queue : queues_) {
    while (!queue.empty() && CanStartNow(now_ms)) {
      const Waiting w = queue.front();
      queue.pop_front();
      if (w.deadline_ms < now_ms) {
        expired_.emplace_back(w.id, Reject(RejectReason::kDeadlineExceeded, now_ms, now_ms, 0));
        continue;
      }
      Start(now_ms);
      started.push_back(w.id);
    }
    if (!queue.empty()) break;  // a lower class never overtakes a waiting higher one
  }
  Replenish(now_ms);
  return started;
}

int64_t HostScheduler::NextWakeMs(int64_t now_ms) const {
  if (!expired_.empty()) return now_ms;
  int64_t wake = kNeverMs;
  for (const auto& queue : queues_) {
    for (const Waiting& w : queue) wake = std::min(wake, w.deadline_ms + 1);
  }
  if (wake == kNeverMs) return kNeverMs;
  if ((spec_.concurrency == 0 || in_flight_ < spec_.concurrency) &&
      !back_off_.WaitsForCaller(in_flight_)) {
    int64_t head = RateSchedule(1, now_ms).front();
    if (quota_ && quota_->UsableAt(now_ms) == 0) {
      if (quota_->pending() || reservation_) {
        head = kNeverMs;  // OnReserved is the caller's event
      } else if (quota_->EarliestUnitsMs(1, now_ms) <= now_ms) {
        head = std::max(head, std::max(now_ms, reserve_not_before_ms_));
      } else {
        head = std::max(head, quota_->EarliestUnitsMs(1, now_ms));
      }
    }
    wake = std::min(wake, head);
  }
  return std::max(wake, now_ms);
}

std::vector<std::pair<RequestId, Rejection>> HostScheduler::Expire(int64_t now_ms) {
  std::vector<std::pair<RequestId, Rejection>> out = std::move(expired_);
  expired_.clear();
  const std::vector<int64_t> schedule = RateSchedule(QueuedCount(), now_ms);
  size_t position = 0;  // among the requests kept so far, in service order
  for (auto& queue : queues_) {
    for (auto it = queue.begin(); it != queue.end();) {
      std::optional<Rejection> why;
      const int64_t quota_at = QuotaEarliest(position, now_ms);
      if (it->deadline_ms < now_ms) {
        why = Reject(RejectReason::kDeadlineExceeded, now_ms, now_ms, position);
      } else if (quota_at > it->deadline_ms) {
        why = Reject(RejectReason::kDailyLimit, quota_at, now_ms, position);
      } else if (schedule[position] > it->deadline_ms) {
        why = Reject(RejectReason::kRateLimited, schedule[position], now_ms, position);
      }
      if (why) {
        out.emplace_back(it->id, std::move(*why));
        it = queue.erase(it);
      } else {
        ++position;
        ++it;
      }
    }
  }
  return out;
}

bool HostScheduler::Cancel(RequestId id) {
  for (auto& queue : queues_) {
    auto it =
        std::find_if(queue.begin(), queue.end(), [&](const Waiting& w) { return w.id == id; });
    if (it != queue.end()) {
      queue.erase(it);
      return true;
    }
  }
  return false;
}

void HostScheduler::Replenish(int64_t now_ms) {
  if (!quota_ || reservation_ || now_ms < reserve_not_before_ms_) return;
  // One unit for each waiting request; the low-water mark in DailyQuota keeps a reserve ahead.
  reservation_ = quota_->MaybeReserve(now_ms, static_cast<int64_t>(QueuedCount()));
}

std::optional<ReservationRequest> HostScheduler::TakeReservation() {
  std::optional<ReservationRequest> out = std::move(reservation_);
  reservation_.reset();
  return out;
}

bool HostScheduler::OnReserved(const QuotaBlock& block, int64_t now_ms) {
  return quota_ && quota_->OnReserved(block, now_ms);
}

void HostScheduler::OnReservationFailed(const QuotaBlock& block, int64_t now_ms) {
  if (!quota_) return;
  quota_->OnReservationFailed(block);
  reserve_not_before_ms_ = now_ms + kReservationRetryMs;
}

void HostScheduler::RestoreQuota(const std::vector<QuotaBlock>& blocks, int64_t now_ms) {
  if (quota_) quota_->Restore(blocks, now_ms);
}

void HostScheduler::AssumeQuotaExhaustedAt(int64_t now_ms) {
  if (quota_) quota_->AssumeExhaustedAt(now_ms);
}

HostStats HostScheduler::Stats(int64_t now_ms) const {
  HostStats s;
  s.admitted = admitted_;
  s.queued = static_cast<int64_t>(QueuedCount());
  s.in_flight = in_flight_;
  s.rejected = rejected_;
  if (quota_) {
    s.used_today = quota_->UsedAt(now_ms);
    s.daily_cap = quota_->cap();
  }
  s.cooldown_until_ms = cooldown_until_ms_;
  s.strikes = back_off_.strikes();
  s.probing = back_off_.probe_due() && now_ms >= cooldown_until_ms_;
  s.rate_factor_percent = back_off_.rate_permille() / 10;
  s.refusals = back_off_.refusals();
  s.outcomes = outcomes_;
  const RateLimit* shortest = nullptr;
  for (const RateLimit& r : spec_.rates) {
    if (shortest == nullptr || r.window_ms < shortest->window_ms) shortest = &r;
  }
  if (shortest != nullptr) {
    s.window_ms = shortest->window_ms;
    s.window_limit = back_off_.Scale(shortest->count);
    for (size_t i = 1; i <= log_.kept() && log_.RecentStart(i) > now_ms - s.window_ms; ++i) {
      if (log_.RecentStart(i) <= now_ms) ++s.window_count;
    }
  }
  return s;
}

}  // namespace whois::limits
