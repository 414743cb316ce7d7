// Every upstream host's HostScheduler, created on first use with the host's effective limits:
// the operator's directive if there is one, else the built-in row, else the default spec
// (itself replaceable by `default-upstream-limit`). Run-time changes (CONFIG SET,
// WHOIS.LIMIT) go through SetLimit / ClearLimit / SetDefaultLimit and keep the history already
// recorded, so a lowered limit applies to the window in progress.
//
// Start-up sequence: construct with the start time (and the proxy's source addresses in the
// options), read every stored q:<host>[@<budget>] value and pass it to RestoreQuota, then serve.
// Hosts are names as given to the resolver; they are compared lower-cased without a trailing dot.
// Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "whois/limits/host_scheduler.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {

struct RegistryOptions {
  size_t max_queue_per_host = HostScheduler::kDefaultMaxQueue;
  // Start every host's windows full at the start time (see SlidingWindow::AssumeFullAt). Only
  // tests and a first run on a fresh address should turn this off.
  bool assume_full_at_start = true;
  // The proxy's source addresses (`upstream-source-address`), canonical literals; empty: the
  // kernel chooses. Every host's scheduler spends from the budgets its scope makes of them.
  std::vector<std::string> sources;
  // Count a start in the windows when its query is written (HostScheduler::OnSent), not when
  // it is admitted: what a server that checks every call runs with (see budget.h).
  bool count_when_sent = false;
};

enum class SpecSource { kOperator, kBuiltin, kDefault };

struct HostReservation {
  std::string host;
  std::string budget;  // the budget's key (see budget_key.h)
  std::string key;     // QuotaKey(host, budget), where request.encoded must be stored
  ReservationRequest request;
};

class LimitRegistry {
 public:
  // start_ms: when this process started (wall clock); previous processes' starts are all
  // before it.
  LimitRegistry(RegistryOptions options, int64_t start_ms);

  LimitRegistry(const LimitRegistry&) = delete;
  LimitRegistry& operator=(const LimitRegistry&) = delete;

  // "whois.nic.uk" for "WHOIS.NIC.UK." etc.
  static std::string CanonicalHost(std::string_view host);
  // The key under which a budget's quota blocks are stored: "q:whois.nic.uk" for the budget of
  // the whole proxy (as before source addresses), "q:whois.nic.uk@127.0.1.1" or
  // "q:whois.nic.xyz@127.0.1.0/24" for others.
  static std::string QuotaKey(std::string_view host, std::string_view budget = kWholeProxyBudget);
  // The host and budget of a stored key without its "q:" ("whois.nic.uk@127.0.1.1").
  static std::pair<std::string, std::string> SplitQuotaKey(std::string_view host_and_budget);

  // The limits that apply to `host` and where they come from.
  LimitSpec SpecFor(std::string_view host, SpecSource* source = nullptr) const;

  // Operator directive for one host; replaces the built-in row as a whole.
  void SetLimit(std::string_view host, const LimitSpec& spec, int64_t now_ms);
  // Drops the directive; the host returns to its built-in row or the default. False if none.
  bool ClearLimit(std::string_view host, int64_t now_ms);
  // Replaces the spec for hosts with neither directive nor built-in row.
  void SetDefaultLimit(const LimitSpec& spec, int64_t now_ms);
  const LimitSpec& default_limit() const { return default_; }
  // Operator directives, sorted by host (for CONFIG GET / CONFIG REWRITE).
  const std::map<std::string, LimitSpec>& operator_limits() const { return overrides_; }

  // The scheduler for `host`, created on first use. The reference stays valid for the
  // registry's lifetime.
  HostScheduler& Scheduler(std::string_view host, int64_t now_ms);
  // The scheduler if it exists, else nullptr.
  HostScheduler* Find(std::string_view host);

  // Restores a budget's stored quota value at start-up. An unreadable value counts the whole
  // daily cap as used and returns Corruption saying why, for the log; else OK.
  util::Status RestoreQuota(std::string_view host, std::string_view stored, int64_t now_ms,
                            std::string_view budget = kWholeProxyBudget);

  // Reservations every host wants stored now (see HostScheduler); each is returned once.
  std::vector<HostReservation> TakeReservations();
  // Forwarded to the host's scheduler.
  bool OnReserved(std::string_view host, const QuotaBlock& block, int64_t now_ms,
                  std::string_view budget = kWholeProxyBudget);
  void OnReservationFailed(std::string_view host, const QuotaBlock& block, int64_t now_ms,
                           std::string_view budget = kWholeProxyBudget);
  // How a query to `host` from `source` ended (see HostScheduler::OnOutcome); call right after
  // its Release, then ExpireAll/PollAll. Ignored for a host never scheduled.
  void OnOutcome(std::string_view host, size_t source, Outcome outcome, int64_t now_ms,
                 std::optional<int64_t> named_wait_ms = std::nullopt);
  void OnOutcome(std::string_view host, Outcome outcome, int64_t now_ms,
                 std::optional<int64_t> named_wait_ms = std::nullopt) {
    OnOutcome(host, 0, outcome, now_ms, named_wait_ms);
  }
  const std::vector<std::string>& sources() const { return options_.sources; }

  // Expire then Poll over all hosts, for one timer: requests to answer with their Rejection,
  // and requests that may connect now (with their source).
  std::vector<std::tuple<std::string, RequestId, Rejection>> ExpireAll(int64_t now_ms);
  std::vector<std::pair<std::string, Started>> PollAll(int64_t now_ms);
  // The earliest NextWakeMs over all hosts; kNeverMs if nothing waits.
  int64_t NextWakeMs(int64_t now_ms) const;

  // Per-host counters for INFO, sorted by host.
  std::vector<std::pair<std::string, HostStats>> Stats(int64_t now_ms) const;

 private:
  void Apply(const std::string& host, int64_t now_ms);

  RegistryOptions options_;
  int64_t start_ms_;
  LimitSpec default_;
  std::map<std::string, LimitSpec> overrides_;
  std::map<std::string, HostScheduler, std::less<>> hosts_;  // node-based: references stay valid
};

}  // namespace whois::limits
