#include "server/background_plan.h"

#include <algorithm>

namespace server {

bool BackgroundPlan::Add(const std::string& host, const std::string& domain, BackgroundKind kind) {
  if (refreshes_.size() >= kMaxRefreshes || refreshes_.contains(Hash(domain))) return false;
  Host& h = hosts_[host];
  auto& lane = h.lanes[static_cast<size_t>(kind)];
  if (lane.size() >= kMaxRefreshesPerHost) return false;
  lane.push_back({domain, 0});
  refreshes_.insert(Hash(domain));
  ++waiting_[static_cast<size_t>(kind)];
  return true;
}

void BackgroundPlan::AddPrefetch(const std::string& host, const std::string& domain, uint64_t seq) {
  hosts_[host].lanes[static_cast<size_t>(BackgroundKind::kPrefetch)].push_back({domain, seq});
  ++waiting_[static_cast<size_t>(BackgroundKind::kPrefetch)];
}

void BackgroundPlan::Requeue(BackgroundJob job) {
  const auto k = static_cast<size_t>(job.kind);
  Host& h = hosts_[job.host];
  if (h.running > 0) --h.running;
  if (h.running_by_kind[k] > 0) --h.running_by_kind[k];
  if (running_[k] > 0) --running_[k];
  ++waiting_[k];
  h.lanes[k].push_front({std::move(job.domain), job.seq});
}

std::vector<BackgroundJob> BackgroundPlan::Take(
    int64_t now_ms, const std::function<size_t(const std::string&)>& cap) {
  std::vector<BackgroundJob> jobs;
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    const std::string& name = it->first;
    Host& h = it->second;
    if (h.paused_until_ms > now_ms) {
      ++it;
      continue;
    }
    h.paused_until_ms = 0;
    if (h.running == 0 && Idle(h)) {
      it = hosts_.erase(it);
      continue;
    }
    const size_t limit = std::max<size_t>(1, cap(name));
    for (size_t k = 0; k < kBackgroundKinds && h.running < limit; ++k) {
      auto& lane = h.lanes[k];
      while (!lane.empty() && h.running < limit) {
        jobs.push_back({name, std::move(lane.front().domain), static_cast<BackgroundKind>(k),
                        lane.front().seq});
        lane.pop_front();
        --waiting_[k];
        ++running_[k];
        ++h.running;
        ++h.running_by_kind[k];
      }
    }
    ++it;
  }
  return jobs;
}

void BackgroundPlan::Finished(const BackgroundJob& job) {
  const auto k = static_cast<size_t>(job.kind);
  if (job.kind != BackgroundKind::kPrefetch) refreshes_.erase(Hash(job.domain));
  if (running_[k] > 0) --running_[k];
  auto it = hosts_.find(job.host);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  if (h.running > 0) --h.running;
  if (h.running_by_kind[k] > 0) --h.running_by_kind[k];
  // A paused host is kept until Take sees its pause over, so the pause holds for work that
  // arrives meanwhile.
  if (h.running == 0 && Idle(h) && h.paused_until_ms == 0) hosts_.erase(it);
}

bool BackgroundPlan::Idle(const Host& h) {
  return std::all_of(h.lanes.begin(), h.lanes.end(), [](const auto& l) { return l.empty(); });
}

void BackgroundPlan::Pause(const std::string& host, int64_t until_ms) {
  Host& h = hosts_[host];
  h.paused_until_ms = std::max(h.paused_until_ms, until_ms);
}

int64_t BackgroundPlan::NextWakeMs(int64_t now_ms) const {
  int64_t wake = INT64_MAX;
  for (const auto& [name, h] : hosts_) {
    if (h.paused_until_ms <= now_ms) continue;
    if (!Idle(h)) wake = std::min(wake, h.paused_until_ms);
  }
  return wake;
}

std::map<std::string, BackgroundPlan::HostView> BackgroundPlan::Hosts() const {
  std::map<std::string, HostView> out;
  for (const auto& [name, h] : hosts_) {
    HostView v;
    for (size_t k = 0; k < kBackgroundKinds; ++k) v.waiting[k] = h.lanes[k].size();
    v.running = h.running;
    v.running_by_kind = h.running_by_kind;
    v.paused_until_ms = h.paused_until_ms;
    out.emplace(name, v);
  }
  return out;
}

size_t BackgroundPlan::prefetch_buffered(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end()
             ? 0
             : it->second.lanes[static_cast<size_t>(BackgroundKind::kPrefetch)].size();
}

}  // namespace server
