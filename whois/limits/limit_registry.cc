#include "whois/limits/limit_registry.h"

#include <algorithm>

#include "whois/limits/builtin_limits.h"

namespace whois::limits {

LimitRegistry::LimitRegistry(RegistryOptions options, int64_t start_ms)
    : options_(options), start_ms_(start_ms), default_(DefaultLimitSpec()) {}

std::string LimitRegistry::CanonicalHost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string LimitRegistry::QuotaKey(std::string_view host, std::string_view budget) {
  std::string key = "q:" + CanonicalHost(host);
  if (budget != kWholeProxyBudget) key += "@" + std::string(budget);
  return key;
}

std::pair<std::string, std::string> LimitRegistry::SplitQuotaKey(std::string_view host_and_budget) {
  // Host names never hold '@' (see IsValidUpstreamHost), budget keys are address literals.
  const size_t at = host_and_budget.find('@');
  if (at == std::string_view::npos) return {std::string(host_and_budget), std::string()};
  return {std::string(host_and_budget.substr(0, at)), std::string(host_and_budget.substr(at + 1))};
}

LimitSpec LimitRegistry::SpecFor(std::string_view host, SpecSource* source) const {
  const std::string name = CanonicalHost(host);
  SpecSource ignored;
  if (source == nullptr) source = &ignored;
  if (auto it = overrides_.find(name); it != overrides_.end()) {
    *source = SpecSource::kOperator;
    return it->second;
  }
  if (auto builtin = BuiltinLimitFor(name)) {
    *source = SpecSource::kBuiltin;
    return *builtin;
  }
  *source = SpecSource::kDefault;
  return default_;
}

void LimitRegistry::Apply(const std::string& host, int64_t now_ms) {
  if (auto it = hosts_.find(host); it != hosts_.end()) it->second.SetSpec(SpecFor(host), now_ms);
}

void LimitRegistry::SetLimit(std::string_view host, const LimitSpec& spec, int64_t now_ms) {
  const std::string name = CanonicalHost(host);
  overrides_[name] = spec;
  Apply(name, now_ms);
}

bool LimitRegistry::ClearLimit(std::string_view host, int64_t now_ms) {
  const std::string name = CanonicalHost(host);
  if (overrides_.erase(name) == 0) return false;
  Apply(name, now_ms);
  return true;
}

void LimitRegistry::SetDefaultLimit(const LimitSpec& spec, int64_t now_ms) {
  default_ = spec;
  for (auto& [host, scheduler] : hosts_) {
    SpecSource source;
    LimitSpec effective = SpecFor(host, &source);
    if (source == SpecSource::kDefault) scheduler.SetSpec(effective, now_ms);
  }
}

HostScheduler& LimitRegistry::Scheduler(std::string_view host, int64_t now_ms) {
  const std::string name = CanonicalHost(host);
  auto it = hosts_.find(name);
  if (it == hosts_.end()) {
    it = hosts_
             .try_emplace(name, name, SpecFor(name), options_.max_queue_per_host,
                          std::min(now_ms, start_ms_), options_.sources, options_.count_when_sent)
             .first;
    if (options_.assume_full_at_start) it->second.AssumeFullAt(start_ms_);
  }
  return it->second;
}

HostScheduler* LimitRegistry::Find(std::string_view host) {
  auto it = hosts_.find(CanonicalHost(host));
  return it == hosts_.end() ? nullptr : &it->second;
}

util::Status LimitRegistry::RestoreQuota(std::string_view host, std::string_view stored,
                                         int64_t now_ms, std::string_view budget) {
  HostScheduler& scheduler = Scheduler(host, now_ms);
  auto decoded = DailyQuota::Decode(stored);
  if (!decoded.ok()) {
    scheduler.AssumeQuotaExhaustedAt(now_ms, budget);
    return decoded.status();
  }
  scheduler.RestoreQuota(*decoded, now_ms, budget);
  return util::Status::OK();
}

std::vector<HostReservation> LimitRegistry::TakeReservations() {
  std::vector<HostReservation> out;
  for (auto& [host, scheduler] : hosts_) {
    while (auto request = scheduler.TakeReservation()) {
      std::string budget = request->budget;
      out.push_back({host, budget, QuotaKey(host, budget),
                     static_cast<ReservationRequest&&>(std::move(*request))});
    }
  }
  return out;
}

bool LimitRegistry::OnReserved(std::string_view host, const QuotaBlock& block, int64_t now_ms,
                               std::string_view budget) {
  HostScheduler* scheduler = Find(host);
  return scheduler != nullptr && scheduler->OnReserved(block, now_ms, budget);
}

void LimitRegistry::OnReservationFailed(std::string_view host, const QuotaBlock& block,
                                        int64_t now_ms, std::string_view budget) {
  if (HostScheduler* scheduler = Find(host)) scheduler->OnReservationFailed(block, now_ms, budget);
}

void LimitRegistry::OnOutcome(std::string_view host, size_t source, Outcome outcome, int64_t now_ms,
                              std::optional<int64_t> named_wait_ms) {
  if (HostScheduler* scheduler = Find(host)) {
    scheduler->OnOutcome(source, outcome, now_ms, named_wait_ms);
  }
}

std::vector<std::tuple<std::string, RequestId, Rejection>> LimitRegistry::ExpireAll(
    int64_t now_ms) {
  std::vector<std::tuple<std::string, RequestId, Rejection>> out;
  for (auto& [host, scheduler] : hosts_) {
    for (auto& [id, why] : scheduler.Expire(now_ms)) out.emplace_back(host, id, std::move(why));
  }
  return out;
}

std::vector<std::pair<std::string, Started>> LimitRegistry::PollAll(int64_t now_ms) {
  std::vector<std::pair<std::string, Started>> out;
  for (auto& [host, scheduler] : hosts_) {
    for (Started started : scheduler.Poll(now_ms)) out.emplace_back(host, started);
  }
  return out;
}

int64_t LimitRegistry::NextWakeMs(int64_t now_ms) const {
  int64_t wake = kNeverMs;
  for (const auto& [host, scheduler] : hosts_) wake = std::min(wake, scheduler.NextWakeMs(now_ms));
  return wake;
}

std::vector<std::pair<std::string, HostStats>> LimitRegistry::Stats(int64_t now_ms) const {
  std::vector<std::pair<std::string, HostStats>> out;
  for (const auto& [host, scheduler] : hosts_) out.emplace_back(host, scheduler.Stats(now_ms));
  return out;
}

}  // namespace whois::limits
