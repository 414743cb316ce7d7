// Admission to one upstream WHOIS host: every connection start must keep the limits of one of
// the host's budgets (concurrency, exact sliding windows, token bucket, daily quota, cool-down
// and back-off; see budget.h and back_off.h), and requests that cannot start yet wait in one
// bounded queue for the host, FIFO within priority classes, until a deadline. Pure: no clock,
// no I/O; the caller drives it from the event loop.
//
// Source addresses and budgets. The scheduler knows the proxy's source addresses (none: one
// source, the kernel's choice, "") and maps each to the budget its spec's scope puts it in
// (budget_key.h): its own (`scope address`), its network's, or the whole proxy's. A request
// starts from the source whose budget lets it start soonest; of those that can start now, the
// one with the fewest starts at this host (then the first configured). Every start reports its
// source back: OnSent, Release and OnOutcome take it.
//
// Call sequence (all times wall-clock ms, see daily_quota.h):
//   Submit(id, prio, deadline, now)  Admitted: connect now from admitted.source (a concurrency
//                                    slot and a daily unit are taken). Queued: wait for Poll.
//                                    Rejection: answer the client at once.
//   OnSent(source, now)              when the query's bytes are written (or the start ended
//                                    without a write), if counts_when_sent; see budget.h.
//   TakeReservation()                after every call: if it returns a request, store
//                                    request.encoded under the key of request.budget with a
//                                    SYNCED write, then OnReserved(block, now, budget) (or
//                                    OnReservationFailed) and Poll.
//   Release(source, now)             when a connection closes (for any reason), then
//   OnOutcome(source, outcome, ...)  at once, for the same connection: how it ended. Then
//                                    Expire/Poll. Every Release needs its OnOutcome: while a
//                                    probe is due, no start happens until its outcome arrives.
//   Expire(now), then Poll(now)      whenever the timer set for NextWakeMs(now) fires, and after
//                                    Release/OnReserved/OnSent. Poll's starts may connect now;
//                                    Expire's must be answered with their Rejection.
//   CoolDownUntil(until, why)        a plain cool-down of every budget, without strike or probe
//                                    (OnOutcome with kRefused does this and more; prefer it).
// Queued requests leave only through Poll, Expire or Cancel, and every request has a deadline,
// so none waits forever. The overloads without a source are for a scheduler with one source.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "whois/limits/back_off.h"
#include "whois/limits/budget.h"
#include "whois/limits/budget_key.h"
#include "whois/limits/daily_quota.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {

using RequestId = uint64_t;

// Lower value is served first. A client waiting on a reply goes before a background refresh.
enum class Priority : uint8_t { kClient = 0, kBackground = 1 };
inline constexpr size_t kPriorityClasses = 2;

enum class RejectReason : uint8_t {
  kRateLimited,       // windows, bucket or cool-down keep its turn past the deadline
  kDailyLimit,        // no daily quota before the deadline
  kQueueFull,         // the host's queue is full
  kDeadlineExceeded,  // queued, but no connection slot or quota came in time
};
inline constexpr size_t kRejectReasons = 4;
// Stable names for replies and INFO: "rate_limited", "daily_limit", "queue_full",
// "deadline_exceeded".
std::string_view RejectReasonName(RejectReason reason);

struct Rejection {
  RejectReason reason = RejectReason::kRateLimited;
  int64_t retry_after_s = 1;  // when retrying could succeed, at least 1
  std::string message;        // e.g. "daily limit of 1000 queries reached for whois.nic.uk; ..."
};

struct Admitted {
  size_t source = 0;  // index of the scheduler's source (see HostScheduler::source)
};
// A queued request that may start now, and from which source.
struct Started {
  RequestId id = 0;
  size_t source = 0;
};
struct Queued {
  int64_t earliest_start_ms = 0;  // lower bound from the rate limits and the quota
  size_t ahead = 0;               // requests that will start before this one
};
using Admission = std::variant<Admitted, Queued, Rejection>;

// The host's figures: the queue's, and the sums over its budgets (the cool-down is the longest,
// the rate factor the lowest, probing whether any budget is); `budgets` has each.
struct HostStats {
  int64_t admitted = 0;  // starts, immediate or from the queue
  int64_t queued = 0;    // waiting now
  int64_t in_flight = 0;
  std::array<int64_t, kRejectReasons> rejected{};  // by RejectReason, Submit and Expire
  int64_t used_today = 0;                          // daily quota used; 0 without a cap
  int64_t daily_cap = 0;
  int64_t cooldown_until_ms = 0;
  // Back-off (see back_off.h).
  int64_t strikes = 0;                // unforgiven strikes
  bool probing = false;               // cool-down over, its single probe due or in flight
  int64_t rate_factor_percent = 100;  // share of the configured rates in use (12 for 1/8)
  int64_t refusals = 0;               // kRefused outcomes ever reported
  // Queries that ended, by how (indexed by Outcome; see OutcomeName).
  std::array<int64_t, kOutcomes> outcomes{};
  // Starts in the shortest configured window (as configured, without the jitter margin) ending
  // at now, and that rate's count at the current rate factor (for a bucket: its refill per
  // window, the burst comes on top); all 0 without rates.
  int64_t window_count = 0;
  int64_t window_limit = 0;
  int64_t window_ms = 0;
  std::vector<BudgetStats> budgets;  // by key, the ones some source spends from now
};

class HostScheduler {
 public:
  static constexpr size_t kDefaultMaxQueue = 64;
  // Retry delay for a reservation that failed to be stored.
  static constexpr int64_t kReservationRetryMs = whois::limits::kReservationRetryMs;

  // A host with no recorded history; see AssumeFullAt for a scheduler created at start-up.
  // `sources`: canonical address literals (see budget_key.h); empty means one source, the
  // kernel's choice. `count_when_sent`: see budget.h.
  HostScheduler(std::string host, const LimitSpec& spec, size_t max_queue, int64_t now_ms,
                std::vector<std::string> sources = {}, bool count_when_sent = false);

  // Replaces the limits, keeping the history: the starts already recorded count against the new
  // windows (a lowered limit applies to the window in progress), the bucket keeps its tokens,
  // the daily quota keeps its blocks, and the cool-down stays. A daily cap added at run time
  // counts the starts still remembered in the last 24 h as used. A changed scope regroups the
  // sources: a budget whose key stays keeps its history; a budget new to this scheduler starts
  // with its windows full at now_ms (its members may have just used them) and its daily quota
  // unused. Budgets no source uses any more are kept, idle, for a later change back.
  void SetSpec(const LimitSpec& spec, int64_t now_ms);
  const LimitSpec& spec() const { return spec_; }
  const std::string& host() const { return host_; }
  // The i-th source address ("" for the kernel's choice when none is configured); Admitted and
  // Started name sources by this index.
  const std::string& source(size_t i) const { return sources_[i].address; }
  size_t source_count() const { return sources_.size(); }
  // The budgets some source spends from now.
  size_t budget_count() const;

  // Treats every window as full at start_ms and the bucket as empty, because a previous process
  // may have used them up just before it died; see SlidingWindow::AssumeFullAt. Call before the
  // first start. The daily quota is restored separately with RestoreQuota.
  void AssumeFullAt(int64_t start_ms);

  // Admits nothing before until_ms (a later call can only extend it). `why` is shown in
  // rejections, e.g. "refused: 'Query rate limit exceeded'". No strike, probe or rate change:
  // OnOutcome(kRefused, ...) is the full back-off.
  void CoolDownUntil(int64_t until_ms, std::string why);

  // Reports how a started query ended; call right after its Release, once per connection.
  // `named_wait_ms`: the wait a refusal text names ("replenished in 50 seconds" -> 50'000).
  // A strike (see back_off.h) starts a cool-down (never shortening one already running), after
  // which exactly one probe may start, and lowers every window's count and the bucket by the
  // rate factor for the window in progress too. Call Expire and Poll afterwards: a successful
  // probe or a recovered rate may let queued requests start.
  void OnOutcome(size_t source, Outcome outcome, int64_t now_ms,
                 std::optional<int64_t> named_wait_ms = std::nullopt);
  void OnOutcome(Outcome outcome, int64_t now_ms,
                 std::optional<int64_t> named_wait_ms = std::nullopt) {
    OnOutcome(0, outcome, now_ms, named_wait_ms);
  }
  // The back-off of the first source's budget.
  const BackOff& back_off() const;

  // The query of a start from `source` was written at now_ms (see budget.h).
  void OnSent(size_t source, int64_t now_ms);

  // Admits now, queues, or rejects; see the file comment. `deadline_ms` is the latest start the
  // caller can use. A request is rejected at once only when the rate limits or the quota alone
  // make its deadline impossible (a lower bound that ignores concurrency), or the queue is full.
  Admission Submit(RequestId id, Priority priority, int64_t deadline_ms, int64_t now_ms);

  // Frees the concurrency slot of a closed connection from `source`. False if none was held.
  bool Release(size_t source, int64_t now_ms);
  bool Release(int64_t now_ms) { return Release(0, now_ms); }

  // Starts queued requests that may start now, in priority then FIFO order, and returns them.
  std::vector<Started> Poll(int64_t now_ms);

  // When to call Expire and Poll again: the earliest time the head may start by the rate
  // limits and cool-down (when a slot is free and quota usable), or a deadline passes. kNeverMs
  // when nothing waits; events the caller sees (Release, OnOutcome, OnReserved) need no timer,
  // so while a probe is in flight only deadlines wake.
  int64_t NextWakeMs(int64_t now_ms) const;

  // Removes and returns queued requests whose deadline has passed or can no longer be met.
  std::vector<std::pair<RequestId, Rejection>> Expire(int64_t now_ms);

  // Removes a queued request. False if it is not queued.
  bool Cancel(RequestId id);

  // A reservation the caller must store now, if any (see the file comment), with the key of
  // the budget it belongs to. Each is returned once.
  struct BudgetReservation : ReservationRequest {
    std::string budget;
  };
  std::optional<BudgetReservation> TakeReservation();
  // The block from TakeReservation was stored durably. False if it was not the pending block.
  bool OnReserved(const QuotaBlock& block, int64_t now_ms,
                  std::string_view budget = kWholeProxyBudget);
  void OnReservationFailed(const QuotaBlock& block, int64_t now_ms,
                           std::string_view budget = kWholeProxyBudget);
  // Restores a budget's stored blocks at start-up; all their units count as used. A budget no
  // source uses now is kept for when one does.
  void RestoreQuota(const std::vector<QuotaBlock>& blocks, int64_t now_ms,
                    std::string_view budget = kWholeProxyBudget);
  // The stored value could not be read: the whole daily cap counts as used at now_ms.
  void AssumeQuotaExhaustedAt(int64_t now_ms, std::string_view budget = kWholeProxyBudget);

  HostStats Stats(int64_t now_ms) const;
  size_t QueuedCountForTest() const { return QueuedCount(); }

 private:
  struct Waiting {
    RequestId id;
    int64_t deadline_ms;
  };
  struct Source {
    std::string address;
    Budget* budget = nullptr;
    int64_t starts = 0;
  };

  Budget& BudgetFor(const std::string& key, int64_t now_ms, bool fresh_full);
  void Regroup(int64_t now_ms, bool fresh_full);
  std::vector<Budget*> ActiveBudgets() const;
  // The source a start may use now (soonest is now; fewest starts, then first), or nullopt.
  std::optional<size_t> SourceForNow(int64_t now_ms) const;
  size_t Start(size_t source, int64_t now_ms);
  // Lower bounds on the next `count` starts over every budget (see Budget::RateSchedule).
  std::vector<int64_t> RateSchedule(size_t count, int64_t now_ms) const;
  int64_t QuotaEarliest(size_t ahead, int64_t now_ms) const;
  size_t Ahead(Priority priority) const;
  size_t QueuedCount() const;
  Rejection Reject(RejectReason reason, int64_t at_ms, int64_t now_ms, size_t ahead);
  void Replenish(int64_t now_ms);

  std::string host_;
  LimitSpec spec_;
  size_t max_queue_;
  bool count_when_sent_;
  std::map<std::string, std::unique_ptr<Budget>, std::less<>> budgets_;  // by key, idle ones too
  std::vector<Source> sources_;
  std::array<int64_t, kOutcomes> outcomes_{};  // reported by OnOutcome, by Outcome
  std::array<std::deque<Waiting>, kPriorityClasses> queues_;
  std::vector<std::pair<RequestId, Rejection>> expired_;  // found by Poll, returned by Expire
  int64_t admitted_ = 0;
  std::array<int64_t, kRejectReasons> rejected_{};
};

}  // namespace whois::limits
