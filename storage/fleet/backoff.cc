#include "storage/fleet/backoff.h"

#include <algorithm>

namespace storage::fleet {

int64_t Backoff::DelayMs(uint32_t failures, double jitter) const {
  if (failures == 0) return 0;
  int64_t delay = initial_ms;
  for (uint32_t i = 1; i < failures && delay < max_ms; ++i) delay *= 2;
  delay = std::min(delay, max_ms);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return delay - static_cast<int64_t>(static_cast<double>(delay) * jitter / 4);
}

}  // namespace storage::fleet
