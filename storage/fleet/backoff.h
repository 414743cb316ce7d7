// Reconnect back-off: how long to wait before the next attempt after `failures` failed ones in a
// row. Exponential from `initial_ms`, capped at `max_ms`, with up to a quarter taken off by the
// caller's `jitter` (0..1) so that a fleet of proxies that lost Redis together does not knock
// on it together. Pure: the caller counts failures and supplies the jitter.
#pragma once

#include <cstdint>

namespace storage::fleet {

struct Backoff {
  int64_t initial_ms = 100;
  int64_t max_ms = 5000;

  // 0 for no failure; else initial_ms * 2^(failures-1), at most max_ms, less jitter/4 of it.
  int64_t DelayMs(uint32_t failures, double jitter = 0) const;
};

}  // namespace storage::fleet
