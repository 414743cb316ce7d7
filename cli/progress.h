// What `whois-proxy-cli prefetch` shows while it follows the queue: a progress bar on a terminal,
// one plain line at a time otherwise, and the rate and time left behind both. Pure: time is a
// parameter.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

namespace cli {

struct ProgressFigures {
  uint64_t done = 0;    // since the tool started following (the server's counters minus theirs
  uint64_t failed = 0;  // at the start)
  uint64_t queued = 0;  // waiting in the server's prefetch queue, and running
  double rate = 0;      // lookups ended per second, recently
  std::optional<int64_t> seconds_left;
};

// Lookups ended per second over the last `window_ms` of samples.
class RateMeter {
 public:
  explicit RateMeter(int64_t window_ms = 30000) : window_ms_(window_ms) {}
  // `ended`: done + failed so far; `now_ms` from a monotonic clock.
  void Add(int64_t now_ms, uint64_t ended);
  double PerSecond() const;

 private:
  int64_t window_ms_;
  std::deque<std::pair<int64_t, uint64_t>> samples_;
};

// Seconds until `queued` drain at `rate`, or the server's own estimate when it is longer (a
// host's limits bound the rate); nullopt when neither is known.
std::optional<int64_t> SecondsLeft(uint64_t queued, double rate,
                                   std::optional<int64_t> server_estimate_s);

// "  1h02m", "   45s", "    --" for unknown.
std::string FormatSeconds(std::optional<int64_t> s);

// One terminal line (no newline) of at most `width` columns:
// "[#####.....]  52% done 5200 failed 3 queued 4797 12.0/s left 6m40s"
std::string ProgressBar(const ProgressFigures& f, size_t width);
// The same figures as one plain line for logs: "done 5200 failed 3 queued 4797 rate 12.0/s left
// 6m40s".
std::string ProgressLine(const ProgressFigures& f);

}  // namespace cli
