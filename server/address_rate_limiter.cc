#include "server/address_rate_limiter.h"

namespace server {

bool AddressRateLimiter::Allow(const std::string& address, int64_t per_second, int64_t now_ms) {
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxAddresses) Forget(now_ms);
    it = buckets_
             .emplace(address, Entry{per_second, whois::limits::TokenBucket(per_second, per_second,
                                                                            1000, now_ms)})
             .first;
  } else if (it->second.per_second != per_second) {
    // CONFIG SET whois-port-limit: the new rate, keeping what the address has used.
    it->second = Entry{per_second, whois::limits::TokenBucket(per_second, per_second, 1000, now_ms,
                                                              it->second.bucket)};
  }
  whois::limits::TokenBucket& b = it->second.bucket;
  if (!b.Allows(now_ms)) return false;
  b.Take(now_ms);
  return true;
}

void AddressRateLimiter::Forget(int64_t now_ms) {
  std::erase_if(buckets_, [now_ms](const auto& kv) {
    return kv.second.bucket.TokensAt(now_ms) >= kv.second.per_second;
  });
  if (buckets_.size() >= kMaxAddresses) buckets_.clear();
}

}  // namespace server
