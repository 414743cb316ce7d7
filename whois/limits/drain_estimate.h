// How long a host's queue of background work takes to drain at the rate its limits allow, for
// WHOIS.QUEUE. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "whois/limits/back_off.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {

// Milliseconds for `queued` more starts at `spec`'s allowed rate, as lowered by `back_off`: the
// slowest of its windows (each enforced with its jitter margin), its token bucket's refill and
// its daily cap. A lower bound: concurrency, latency and clients' own lookups only add to it.
// nullopt when nothing bounds the rate (no rate and no daily cap); 0 for an empty queue.
std::optional<int64_t> DrainEstimateMs(const LimitSpec& spec, const BackOff& back_off,
                                       uint64_t queued);

}  // namespace whois::limits
