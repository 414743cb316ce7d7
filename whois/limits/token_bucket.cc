#include "whois/limits/token_bucket.h"

#include <algorithm>

namespace whois::limits {

TokenBucket::TokenBucket(int64_t capacity, int64_t refill_count, int64_t refill_window_ms,
                         int64_t now_ms)
    : capacity_(std::max<int64_t>(capacity, 1)),
      refill_count_(std::max<int64_t>(refill_count, 1)),
      window_ms_(std::max<int64_t>(refill_window_ms, 1)),
      level_(capacity_ * window_ms_),
      at_ms_(now_ms) {}

TokenBucket::TokenBucket(int64_t capacity, int64_t refill_count, int64_t refill_window_ms,
                         int64_t now_ms, const TokenBucket& old)
    : TokenBucket(capacity, refill_count, refill_window_ms, now_ms) {
  level_ = std::min(old.TokensAt(now_ms), capacity_) * window_ms_;
}

int64_t TokenBucket::LevelAt(int64_t now_ms) const {
  const int64_t full = capacity_ * window_ms_;
  if (now_ms <= at_ms_ || level_ >= full) return std::min(level_, full);
  // Bound the elapsed time before multiplying so the product cannot overflow.
  const int64_t to_full = (full - level_ + refill_count_ - 1) / refill_count_;
  const int64_t elapsed = std::min(now_ms - at_ms_, to_full);
  return std::min(full, level_ + elapsed * refill_count_);
}

int64_t TokenBucket::NextAllowedMs(int64_t now_ms) const {
  const int64_t at = std::max(now_ms, at_ms_);
  const int64_t level = LevelAt(at);
  if (level >= window_ms_) return at;
  return at + (window_ms_ - level + refill_count_ - 1) / refill_count_;
}

void TokenBucket::Take(int64_t now_ms) {
  const int64_t at = std::max(now_ms, at_ms_);
  level_ = LevelAt(at) - window_ms_;
  at_ms_ = at;
}

void TokenBucket::AssumeEmptyAt(int64_t now_ms) {
  const int64_t at = std::max(now_ms, at_ms_);
  level_ = std::min<int64_t>(LevelAt(at), 0);
  at_ms_ = at;
}

int64_t TokenBucket::TokensAt(int64_t now_ms) const {
  const int64_t level = LevelAt(std::max(now_ms, at_ms_));
  return level > 0 ? level / window_ms_ : 0;
}

}  // namespace whois::limits
