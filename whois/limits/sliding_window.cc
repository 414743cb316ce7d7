#include "whois/limits/sliding_window.h"

#include <algorithm>
#include <cstddef>

namespace whois::limits {

SlidingWindow::SlidingWindow(int64_t limit, int64_t window_ms)
    : limit_(std::max<int64_t>(limit, 1)), window_ms_(std::max<int64_t>(window_ms, 1)) {}

SlidingWindow::SlidingWindow(int64_t limit, int64_t window_ms, const SlidingWindow& history)
    : SlidingWindow(limit, window_ms) {
  const size_t take = std::min<size_t>(history.kept(), static_cast<size_t>(limit_));
  if (history.forgot_ && take < static_cast<size_t>(limit_) && history.kept() > 0) {
    starts_.assign(static_cast<size_t>(limit_) - take, history.starts_.front());
  }
  starts_.insert(starts_.end(), history.starts_.end() - static_cast<std::ptrdiff_t>(take),
                 history.starts_.end());
  forgot_ = history.forgot_ || take < history.kept();
}

int64_t SlidingWindow::NextAllowedMs(int64_t now_ms) const {
  if (starts_.size() < static_cast<size_t>(limit_)) return now_ms;
  // starts_ holds exactly limit_ entries; front() is the limit-th most recent.
  return std::max(now_ms, starts_.front() + window_ms_);
}

void SlidingWindow::Record(int64_t now_ms) {
  if (!starts_.empty()) now_ms = std::max(now_ms, starts_.back());
  starts_.push_back(now_ms);
  if (starts_.size() > static_cast<size_t>(limit_)) {
    starts_.pop_front();
    forgot_ = true;
  }
}

void SlidingWindow::AssumeFullAt(int64_t now_ms) {
  starts_.assign(static_cast<size_t>(limit_), now_ms);
  forgot_ = true;
}

int64_t SlidingWindow::CountAt(int64_t now_ms) const {
  int64_t n = 0;
  for (auto it = starts_.rbegin(); it != starts_.rend() && *it > now_ms - window_ms_; ++it) {
    if (*it <= now_ms) ++n;
  }
  return n;
}

}  // namespace whois::limits
