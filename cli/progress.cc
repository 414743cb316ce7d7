#include "cli/progress.h"

#include <algorithm>
#include <cstdio>

namespace cli {

void RateMeter::Add(int64_t now_ms, uint64_t ended) {
  samples_.emplace_back(now_ms, ended);
  while (samples_.size() > 2 && samples_.front().first < now_ms - window_ms_) samples_.pop_front();
}

double RateMeter::PerSecond() const {
  if (samples_.size() < 2) return 0;
  const auto& [t0, n0] = samples_.front();
  const auto& [t1, n1] = samples_.back();
  if (t1 <= t0 || n1 < n0) return 0;
  return static_cast<double>(n1 - n0) * 1000.0 / static_cast<double>(t1 - t0);
}

std::optional<int64_t> SecondsLeft(uint64_t queued, double rate,
                                   std::optional<int64_t> server_estimate_s) {
  if (queued == 0) return 0;
  std::optional<int64_t> ours;
  if (rate > 0) ours = static_cast<int64_t>(static_cast<double>(queued) / rate + 0.5);
  if (ours && server_estimate_s) return std::max(*ours, *server_estimate_s);
  return ours ? ours : server_estimate_s;
}

std::string FormatSeconds(std::optional<int64_t> s) {
  if (!s) return "--";
  int64_t v = std::max<int64_t>(*s, 0);
  char buf[32];
  if (v >= 86400)
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(v / 86400),
                  static_cast<long long>(v % 86400 / 3600));
  else if (v >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(v / 3600),
                  static_cast<long long>(v % 3600 / 60));
  else if (v >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(v / 60),
                  static_cast<long long>(v % 60));
  else
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(v));
  return buf;
}

namespace {

std::string Figures(const ProgressFigures& f) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f/s", f.rate);
  return "done " + std::to_string(f.done) + " failed " + std::to_string(f.failed) + " queued " +
         std::to_string(f.queued) + " rate " + rate + " left " + FormatSeconds(f.seconds_left);
}

}  // namespace

std::string ProgressLine(const ProgressFigures& f) { return Figures(f); }

std::string ProgressBar(const ProgressFigures& f, size_t width) {
  const uint64_t total = f.done + f.failed + f.queued;
  const double share = total == 0 ? 1.0 : static_cast<double>(f.done + f.failed) / total;
  std::string tail = Figures(f);
  char percent[8];
  std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(share * 100));
  // "[" bar "] " percent " " tail; the bar gets what is left of the width, at least 10.
  const size_t fixed = 2 + 1 + 4 + 1 + tail.size();
  const size_t bar = width > fixed + 10 ? width - fixed : 10;
  const auto filled = static_cast<size_t>(share * static_cast<double>(bar));
  std::string out =
      "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "] " + percent + " " + tail;
  if (out.size() > width && width > 0) out.resize(width);
  return out;
}

}  // namespace cli
