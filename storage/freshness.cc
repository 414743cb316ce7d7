#include "storage/freshness.h"

#include "storage/key_hash.h"

namespace storage {

int64_t FreshnessPolicy::Ttl(RecordStatus status) const {
  int64_t ttl = ttl_registered_ms;
  switch (status) {
    case RecordStatus::kRegistered:
      ttl = ttl_registered_ms;
      break;
    case RecordStatus::kNotFound:
      ttl = ttl_not_found_ms;
      break;
    case RecordStatus::kFallback:
      ttl = ttl_fallback_ms;
      break;
  }
  return ttl < 0 ? 0 : ttl;
}

int64_t FreshnessPolicy::StaleAt(RecordStatus status, int64_t fetched_at_ms,
                                 std::string_view domain) const {
  int64_t ttl = Ttl(status);
  uint64_t span = static_cast<uint64_t>(ttl / kJitterDivisor) + 1;
  // Rotate so the jitter does not use the same hash bits that pick the worker and count shard.
  uint64_t h = KeyHash(domain);
  h = (h >> 17) | (h << 47);
  int64_t jitter = static_cast<int64_t>(h % span);
  return fetched_at_ms + ttl + jitter;
}

}  // namespace storage
