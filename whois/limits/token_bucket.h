// A token bucket for upstream hosts that behave like one: up to `capacity` starts at once, then
// `refill_count` tokens per `refill_window_ms`, never more than `capacity` stored. Arithmetic is
// exact integer arithmetic (one token is refill_window_ms "units"; refill adds refill_count units
// per millisecond), so there is no drift from rounding.
//
// Times are milliseconds passed in; the bucket never reads a clock. A time earlier than the last
// one seen adds no tokens.
#pragma once

#include <cstdint>

namespace whois::limits {

class TokenBucket {
 public:
  // Requires capacity, refill_count, refill_window_ms >= 1. The bucket starts full at now_ms.
  TokenBucket(int64_t capacity, int64_t refill_count, int64_t refill_window_ms, int64_t now_ms);

  // A bucket with new parameters that keeps the whole tokens `old` holds at now_ms (capped at
  // the new capacity), so a lowered limit applies at once and a raised one grants nothing extra.
  TokenBucket(int64_t capacity, int64_t refill_count, int64_t refill_window_ms, int64_t now_ms,
              const TokenBucket& old);

  bool Allows(int64_t now_ms) const { return NextAllowedMs(now_ms) <= now_ms; }
  // The earliest time >= now_ms at which one token is available.
  int64_t NextAllowedMs(int64_t now_ms) const;
  // Takes one token at now_ms; the caller checks Allows first. Taking from an empty bucket
  // leaves it in debt, which later refill pays back first.
  void Take(int64_t now_ms);
  // Empties the bucket at now_ms (after a restart: a previous process may have drained it).
  void AssumeEmptyAt(int64_t now_ms);
  // Whole tokens available at now_ms.
  int64_t TokensAt(int64_t now_ms) const;

 private:
  int64_t LevelAt(int64_t now_ms) const;

  int64_t capacity_;
  int64_t refill_count_;
  int64_t window_ms_;
  int64_t level_;  // units (1 token = window_ms_ units) at at_ms_; may be negative (debt)
  int64_t at_ms_;
};

}  // namespace whois::limits
