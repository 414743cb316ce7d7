// Queries per second per client address, for the WHOIS port (`whois-port-limit`): a token
// bucket per address holding one second's worth, so the port cannot be used to spend the
// upstream budget faster than the operator allows one client. Pure: times are passed in.
//
// At most kMaxAddresses are remembered; past that, addresses whose bucket has refilled (they
// have been quiet for a second) are forgotten first, then all: a flood from many addresses
// costs bounded memory, at the price of granting those addresses a fresh second.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "whois/limits/token_bucket.h"

namespace server {

class AddressRateLimiter {
 public:
  static constexpr size_t kMaxAddresses = 100000;

  // True, and counted, if `address` may make one more query at now_ms under `per_second`.
  bool Allow(const std::string& address, int64_t per_second, int64_t now_ms);
  size_t size() const { return buckets_.size(); }

 private:
  struct Entry {
    int64_t per_second;
    whois::limits::TokenBucket bucket;
  };
  void Forget(int64_t now_ms);
  std::unordered_map<std::string, Entry> buckets_;
};

}  // namespace server
