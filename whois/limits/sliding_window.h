// An exact "at most `limit` starts in any window of `window_ms`" limiter. It keeps the last
// `limit` start times: a start at `now` is allowed iff fewer than `limit` of them lie in
// (now - window, now], i.e. iff the limit-th most recent start is at or before now - window.
// The earliest next allowed time is therefore that start + window. Nothing is approximated, so
// no interval of length window_ms ever holds more than `limit` recorded starts.
//
// Times are milliseconds from one clock, passed in; the limiter never reads a clock. Times
// must not go backwards: a start recorded earlier than the previous one is stored as the
// previous one's time, which only makes the limiter stricter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace whois::limits {

class SlidingWindow {
 public:
  // Requires limit >= 1 and window_ms >= 1. Starts with no recorded history.
  SlidingWindow(int64_t limit, int64_t window_ms);

  // A window with a new limit and length whose history is taken from `history` (its last
  // `limit` starts). If `history` kept fewer than `limit` starts but had forgotten older ones
  // (see forgot()), the missing starts are assumed to have happened at the oldest start it
  // kept: they really happened no later than that, so the assumption can only be stricter.
  // This is how a changed limit keeps applying to the window already in progress.
  SlidingWindow(int64_t limit, int64_t window_ms, const SlidingWindow& history);

  // Whether a start at now_ms keeps the limit.
  bool Allows(int64_t now_ms) const { return NextAllowedMs(now_ms) <= now_ms; }

  // The earliest time >= now_ms at which a start would be allowed, assuming no other start.
  int64_t NextAllowedMs(int64_t now_ms) const;

  // Records a start at now_ms. The caller checks Allows first; Record itself does not refuse.
  void Record(int64_t now_ms);

  // Fills the history with `limit` starts at now_ms, as if the window had just been used to the
  // full. Used at start-up: starts made by a previous process (which may have been killed) all
  // happened no later than now_ms, so this is the least strict assumption that is always safe.
  // The cost is that the host gets no start for window_ms after start-up.
  void AssumeFullAt(int64_t now_ms);

  // Recorded starts in (now_ms - window, now_ms].
  int64_t CountAt(int64_t now_ms) const;

  // The i-th most recent recorded start, 1-based; requires 1 <= i <= kept().
  int64_t RecentStart(size_t i) const { return starts_[starts_.size() - i]; }
  size_t kept() const { return starts_.size(); }
  // True once a start has been dropped to keep only `limit` of them (or after AssumeFullAt).
  bool forgot() const { return forgot_; }

  int64_t limit() const { return limit_; }
  int64_t window_ms() const { return window_ms_; }

 private:
  int64_t limit_;
  int64_t window_ms_;
  std::deque<int64_t> starts_;  // oldest first, non-decreasing, at most limit_ entries
  bool forgot_ = false;
};

}  // namespace whois::limits
