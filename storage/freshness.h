// FreshnessPolicy: when a record stops being served as fresh. Pure: time is a parameter.
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/record.h"

namespace storage {

struct FreshnessPolicy {
  int64_t ttl_registered_ms = 30ll * 24 * 3600 * 1000;
  int64_t ttl_not_found_ms = 24ll * 3600 * 1000;
  int64_t ttl_fallback_ms = 600ll * 1000;

  // The TTL for records of this status (0 for a negative configured value).
  int64_t Ttl(RecordStatus status) const;

  // fetched_at_ms + Ttl(status) + jitter. The jitter lies in [0, Ttl(status) / kJitterDivisor]
  // and is derived from the domain's hash, so it is the same for a domain every time, while a
  // bulk import of many domains does not all go stale at one instant.
  int64_t StaleAt(RecordStatus status, int64_t fetched_at_ms, std::string_view domain) const;

  static constexpr int64_t kJitterDivisor = 10;  // jitter up to +10% of the TTL
};

}  // namespace storage
