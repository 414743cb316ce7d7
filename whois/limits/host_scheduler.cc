#include "whois/limits/host_scheduler.h"

#include <algorithm>

#include "util/enum_names.h"

namespace whois::limits {
namespace {

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
  static constexpr util::EnumNames<RejectReason::kDeadlineExceeded> kNames(
      {"rate_limited", "daily_limit", "queue_full", "deadline_exceeded"}, "unknown");
  return kNames.Name(reason);
}

HostScheduler::HostScheduler(std::string host, const LimitSpec& spec, size_t max_queue,
                             int64_t now_ms, std::vector<std::string> sources, bool count_when_sent)
    : host_(std::move(host)),
      spec_(spec),
      max_queue_(std::max<size_t>(max_queue, 1)),
      count_when_sent_(count_when_sent) {
  if (sources.empty()) sources.emplace_back();
  for (std::string& address : sources) sources_.push_back({std::move(address), nullptr, 0});
  Regroup(now_ms, false);
}

Budget& HostScheduler::BudgetFor(const std::string& key, int64_t now_ms, bool fresh_full) {
  auto it = budgets_.find(key);
  if (it == budgets_.end()) {
    it =
        budgets_.emplace(key, std::make_unique<Budget>(key, spec_, now_ms, count_when_sent_)).first;
    if (fresh_full) it->second->AssumeFullAt(now_ms);
  }
  return *it->second;
}

void HostScheduler::Regroup(int64_t now_ms, bool fresh_full) {
  for (Source& s : sources_)
    s.budget = &BudgetFor(BudgetKey(s.address, spec_.scope), now_ms, fresh_full);
}

std::vector<Budget*> HostScheduler::ActiveBudgets() const {
  std::vector<Budget*> out;
  for (const Source& s : sources_) {
    if (std::find(out.begin(), out.end(), s.budget) == out.end()) out.push_back(s.budget);
  }
  return out;
}

size_t HostScheduler::budget_count() const { return ActiveBudgets().size(); }

const BackOff& HostScheduler::back_off() const { return sources_.front().budget->back_off(); }

void HostScheduler::SetSpec(const LimitSpec& spec, int64_t now_ms) {
  spec_ = spec;
  for (auto& [key, budget] : budgets_) budget->SetSpec(spec_, now_ms);
  Regroup(now_ms, true);
}

void HostScheduler::AssumeFullAt(int64_t start_ms) {
  for (auto& [key, budget] : budgets_) budget->AssumeFullAt(start_ms);
}

void HostScheduler::CoolDownUntil(int64_t until_ms, std::string why) {
  for (Budget* b : ActiveBudgets()) b->CoolDownUntil(until_ms, why);
}

void HostScheduler::OnOutcome(size_t source, Outcome outcome, int64_t now_ms,
                              std::optional<int64_t> named_wait_ms) {
  ++outcomes_[static_cast<size_t>(outcome)];
  if (source >= sources_.size()) return;
  sources_[source].budget->OnOutcome(outcome, now_ms, named_wait_ms);
}

void HostScheduler::OnSent(size_t source, int64_t now_ms) {
  if (source < sources_.size()) sources_[source].budget->OnSent(now_ms);
}

std::optional<size_t> HostScheduler::SourceForNow(int64_t now_ms) const {
  std::optional<size_t> best;
  std::vector<const Budget*> checked_ok, checked_no;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const Budget* b = sources_[i].budget;
    bool ok;
    if (std::find(checked_ok.begin(), checked_ok.end(), b) != checked_ok.end()) {
      ok = true;
    } else if (std::find(checked_no.begin(), checked_no.end(), b) != checked_no.end()) {
      ok = false;
    } else {
      ok = b->CanStartNow(now_ms);
      (ok ? checked_ok : checked_no).push_back(b);
    }
    if (ok && (!best || sources_[i].starts < sources_[*best].starts)) best = i;
  }
  return best;
}

size_t HostScheduler::Start(size_t source, int64_t now_ms) {
  sources_[source].budget->Start(now_ms);
  ++sources_[source].starts;
  ++admitted_;
  return source;
}

std::vector<int64_t> HostScheduler::RateSchedule(size_t count, int64_t now_ms) const {
  const std::vector<Budget*> budgets = ActiveBudgets();
  if (budgets.size() == 1) return budgets.front()->RateSchedule(count, now_ms);
  // The union of every budget's own schedule, earliest first: the k-th start overall can be no
  // sooner than the k-th smallest of them.
  std::vector<int64_t> all;
  for (const Budget* b : budgets) {
    std::vector<int64_t> own = b->RateSchedule(count, now_ms);
    all.insert(all.end(), own.begin(), own.end());
  }
  std::sort(all.begin(), all.end());
  all.resize(count);
  return all;
}

int64_t HostScheduler::QuotaEarliest(size_t ahead, int64_t now_ms) const {
  const std::vector<Budget*> budgets = ActiveBudgets();
  // ahead + 1 units over B budgets need at least ceil((ahead + 1) / B) from one of them: the
  // soonest any budget has that many is a lower bound (exact with one budget).
  const int64_t units = static_cast<int64_t>((ahead + budgets.size()) / budgets.size());
  int64_t at = kNeverMs;
  for (const Budget* b : budgets) at = std::min(at, b->QuotaEarliest(units, now_ms));
  return at;
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
  const std::vector<Budget*> budgets = ActiveBudgets();
  const std::string each =
      budgets.size() > 1 ? " (each of " + std::to_string(budgets.size()) + " budgets)" : "";
  // The budget that frees soonest speaks for the host.
  const Budget* first = budgets.front();
  for (const Budget* b : budgets) {
    if (b->cooldown_until_ms() < first->cooldown_until_ms()) first = b;
  }
  int64_t in_flight = 0;
  for (const Budget* b : budgets) in_flight += b->in_flight();
  switch (reason) {
    case RejectReason::kDailyLimit:
      r.message = "daily limit of " + std::to_string(spec_.daily) + " queries" + each + " " +
                  (ahead > 0 ? "leaves no turn before the deadline for " + host_ + queued
                             : "reached for " + host_) +
                  "; resets in " + wait;
      break;
    case RejectReason::kRateLimited:
      if (first->cooldown_until_ms() > now_ms && at_ms <= first->cooldown_until_ms() + 1) {
        r.message = host_ + " " + first->cooldown_why() + "; cooling down for " +
                    FormatDuration(first->cooldown_until_ms() - now_ms);
      } else {
        r.message = "rate limit of " + host_ + " (" + RatesText(spec_, first->back_off()) + ")" +
                    each + " allows the next start in " + wait + queued + ", after the deadline";
      }
      break;
    case RejectReason::kQueueFull:
      r.message = "queue for " + host_ + " is full (" + std::to_string(ahead) +
                  " waiting); retry in " + wait;
      break;
    case RejectReason::kDeadlineExceeded:
      r.message =
          "no connection to " + host_ + " could start before the deadline (" +
          (first->back_off().probe_due() && now_ms >= first->cooldown_until_ms()
               ? "probing after a cool-down: one connection until it answers"
               : std::to_string(in_flight) + " open, concurrency " +
                     (spec_.concurrency > 0 ? std::to_string(spec_.concurrency) : "unlimited") +
                     each) +
          ")" + queued;
      break;
  }
  return r;
}

Admission HostScheduler::Submit(RequestId id, Priority priority, int64_t deadline_ms,
                                int64_t now_ms) {
  const size_t ahead = Ahead(priority);
  if (ahead == 0 && deadline_ms >= now_ms) {
    if (std::optional<size_t> source = SourceForNow(now_ms)) {
      Start(*source, now_ms);
      Replenish(now_ms);
      return Admitted{*source};
    }
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

bool HostScheduler::Release(size_t source, int64_t /*now_ms*/) {
  if (source >= sources_.size()) return false;
  return sources_[source].budget->Release();
}

std::vector<Started> HostScheduler::Poll(int64_t now_ms) {
  std::vector<Started> started;
  for (auto& queue : queues_) {
    while (!queue.empty()) {
      std::optional<size_t> source = SourceForNow(now_ms);
      if (!source) break;
      const Waiting w = queue.front();
      queue.pop_front();
      if (w.deadline_ms < now_ms) {
        expired_.emplace_back(w.id, Reject(RejectReason::kDeadlineExceeded, now_ms, now_ms, 0));
        continue;
      }
      started.push_back({w.id, Start(*source, now_ms)});
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
  for (const Budget* b : ActiveBudgets()) wake = std::min(wake, b->WakeMs(now_ms));
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
  // One unit for each waiting request, asked of every budget (any may be the one to serve it);
  // the low-water mark in DailyQuota keeps a reserve ahead.
  for (Budget* b : ActiveBudgets()) b->Replenish(now_ms, static_cast<int64_t>(QueuedCount()));
}

std::optional<HostScheduler::BudgetReservation> HostScheduler::TakeReservation() {
  for (auto& [key, budget] : budgets_) {
    if (auto request = budget->TakeReservation()) {
      BudgetReservation out;
      static_cast<ReservationRequest&>(out) = std::move(*request);
      out.budget = key;
      return out;
    }
  }
  return std::nullopt;
}

bool HostScheduler::OnReserved(const QuotaBlock& block, int64_t now_ms, std::string_view budget) {
  auto it = budgets_.find(budget);
  return it != budgets_.end() && it->second->OnReserved(block, now_ms);
}

void HostScheduler::OnReservationFailed(const QuotaBlock& block, int64_t now_ms,
                                        std::string_view budget) {
  if (auto it = budgets_.find(budget); it != budgets_.end()) {
    it->second->OnReservationFailed(block, now_ms);
  }
}

void HostScheduler::RestoreQuota(const std::vector<QuotaBlock>& blocks, int64_t now_ms,
                                 std::string_view budget) {
  BudgetFor(std::string(budget), now_ms, false).RestoreQuota(blocks, now_ms);
}

void HostScheduler::AssumeQuotaExhaustedAt(int64_t now_ms, std::string_view budget) {
  BudgetFor(std::string(budget), now_ms, false).AssumeQuotaExhaustedAt(now_ms);
}

HostStats HostScheduler::Stats(int64_t now_ms) const {
  HostStats s;
  s.admitted = admitted_;
  s.queued = static_cast<int64_t>(QueuedCount());
  s.rejected = rejected_;
  s.rate_factor_percent = 100;
  s.outcomes = outcomes_;
  for (const Budget* b : ActiveBudgets()) {
    BudgetStats bs = b->Stats(now_ms);
    for (const Source& src : sources_) {
      if (src.budget == b) bs.addresses.push_back(src.address);
    }
    s.in_flight += bs.in_flight;
    s.used_today += bs.used_today;
    s.daily_cap += bs.daily_cap;
    s.cooldown_until_ms = std::max(s.cooldown_until_ms, bs.cooldown_until_ms);
    s.strikes += bs.strikes;
    s.probing = s.probing || bs.probing;
    s.rate_factor_percent = std::min(s.rate_factor_percent, bs.rate_factor_percent);
    s.refusals += bs.refusals;
    s.window_count += bs.window_count;
    s.window_limit += bs.window_limit;
    s.window_ms = bs.window_ms;
    s.budgets.push_back(std::move(bs));
  }
  std::sort(s.budgets.begin(), s.budgets.end(),
            [](const BudgetStats& a, const BudgetStats& b) { return a.key < b.key; });
  return s;
}

}  // namespace whois::limits
