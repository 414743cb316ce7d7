#include "whois/limits/drain_estimate.h"

#include <algorithm>

namespace whois::limits {

std::optional<int64_t> DrainEstimateMs(const LimitSpec& spec, const BackOff& back_off,
                                       uint64_t queued) {
  if (spec.rates.empty() && spec.daily <= 0) return std::nullopt;
  if (queued == 0) return 0;
  const auto n = static_cast<double>(queued);
  double ms = 0;
  for (const RateLimit& r : spec.rates) {
    const double per_window = static_cast<double>(std::max<int64_t>(1, back_off.Scale(r.count)));
    const double window = static_cast<double>(r.window_ms + JitterMarginMs(r.window_ms));
    ms = std::max(ms, n / per_window * window);
  }
  if (spec.daily > 0) ms = std::max(ms, n / static_cast<double>(spec.daily) * kMsPerDay);
  return static_cast<int64_t>(ms + 0.5);
}

}  // namespace whois::limits
