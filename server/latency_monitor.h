// What LATENCY answers, as Redis 7 keeps it: a histogram of run times per command (LATENCY
// HISTOGRAM, powers of two from 1 µs like Redis's hdr_histogram report), and latency events
// (LATENCY LATEST/HISTORY/RESET): every command that ran for at least
// `latency-monitor-threshold` ms (0: the monitor is off) is a sample of the event "command", or
// "fast-command" for commands flagged fast. Pure: callers pass durations and the wall clock in.
// Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

class LatencyHistogram {
 public:
  // Bucket i holds run times up to 1024 << i ns; the last one everything longer.
  static constexpr size_t kBuckets = 40;
  void Record(uint64_t ns);
  uint64_t calls() const { return calls_; }
  uint64_t total_ns() const { return total_ns_; }
  // The bound in µs (as Cumulative() reports it) of the bucket holding the p-th percentile
  // (0 < p <= 100); 0 without calls.
  double PercentileUs(double p) const;
  // (bucket bound in µs, calls up to it), cumulative, for the buckets where the count grows:
  // the pairs of Redis's "histogram_usec" (bounds 1, 2, 4, 8, 16, 32, 65, 131, ...).
  std::vector<std::pair<int64_t, uint64_t>> Cumulative() const;

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t calls_ = 0;
  uint64_t total_ns_ = 0;
};

struct LatencySample {
  int64_t unix_time_s = 0;
  int64_t ms = 0;
};

struct LatencyEvent {
  LatencySample latest;
  int64_t max_ms = 0;
  std::vector<LatencySample> history;  // oldest first, at most kHistory; one per second
};

class LatencyMonitor {
 public:
  static constexpr size_t kHistory = 160;  // Redis's LATENCY_TS_LEN

  // One command ran for `ns`: into its histogram, and a sample of its event when the monitor
  // is on (`threshold_ms` > 0) and the run reached it.
  void RecordCommand(std::string_view command, bool fast, uint64_t ns, int64_t unix_time_s,
                     int64_t threshold_ms);
  // A sample of `event` (at most one per second is kept: the largest).
  void AddSample(const std::string& event, int64_t unix_time_s, int64_t ms);
  // Forgets the named events (all if `events` is empty); returns how many were forgotten.
  size_t Reset(const std::vector<std::string>& events);
  void ResetHistograms() { histograms_.clear(); }

  const std::map<std::string, LatencyEvent>& events() const { return events_; }
  const std::map<std::string, LatencyHistogram, std::less<>>& histograms() const {
    return histograms_;
  }

 private:
  std::map<std::string, LatencyEvent> events_;
  std::map<std::string, LatencyHistogram, std::less<>> histograms_;  // by command name
};

}  // namespace server
