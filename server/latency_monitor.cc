#include "server/latency_monitor.h"

#include <bit>

namespace server {

void LatencyHistogram::Record(uint64_t ns) {
  // Bucket i holds (1024 << (i - 1), 1024 << i]: the bit width of (ns - 1) >> 10.
  size_t i = ns <= 1024 ? 0 : static_cast<size_t>(std::bit_width((ns - 1) >> 10));
  ++counts_[std::min(i, kBuckets - 1)];
  ++calls_;
  total_ns_ += ns;
}

double LatencyHistogram::PercentileUs(double p) const {
  if (calls_ == 0) return 0;
  const double rank = p / 100 * static_cast<double>(calls_);
  uint64_t total = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    total += counts_[i];
    if (counts_[i] > 0 && static_cast<double>(total) >= rank)
      return static_cast<double>(uint64_t{1024} << i) / 1000;
  }
  return static_cast<double>(uint64_t{1024} << (kBuckets - 1)) / 1000;
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::Cumulative() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t total = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    total += counts_[i];
    out.emplace_back(static_cast<int64_t>((uint64_t{1024} << i) / 1000), total);
  }
  return out;
}

void LatencyMonitor::RecordCommand(std::string_view command, bool fast, uint64_t ns,
                                   int64_t unix_time_s, int64_t threshold_ms) {
  auto it = histograms_.find(command);
  if (it == histograms_.end())
    it = histograms_.emplace(std::string(command), LatencyHistogram{}).first;
  it->second.Record(ns);
  int64_t ms = static_cast<int64_t>(ns / 1000000);
  if (threshold_ms > 0 && ms >= threshold_ms)
    AddSample(fast ? "fast-command" : "command", unix_time_s, ms);
}

void LatencyMonitor::AddSample(const std::string& event, int64_t unix_time_s, int64_t ms) {
  LatencyEvent& e = events_[event];
  e.latest = {unix_time_s, ms};
  e.max_ms = std::max(e.max_ms, ms);
  if (!e.history.empty() && e.history.back().unix_time_s == unix_time_s) {
    e.history.back().ms = std::max(e.history.back().ms, ms);
    return;
  }
  e.history.push_back({unix_time_s, ms});
  if (e.history.size() > kHistory) e.history.erase(e.history.begin());
}

size_t LatencyMonitor::Reset(const std::vector<std::string>& events) {
  if (events.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (const auto& name : events) n += events_.erase(name);
  return n;
}

}  // namespace server
