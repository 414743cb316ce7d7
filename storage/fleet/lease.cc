#include "storage/fleet/lease.h"

#include <algorithm>
#include <cstdio>

#include "storage/fleet/fleet_record.h"

namespace storage::fleet {

std::string LeaseKey(std::string_view prefix, std::string_view domain) {
  std::string key = "{";
  key += prefix;
  key += ':';
  key += domain;
  key += "}l";
  return key;
}

std::string LeaseToken(std::string_view node_name, uint64_t nonce, uint64_t serial) {
  char tail[48];
  std::snprintf(tail, sizeof(tail), "/%016llx-%llu", static_cast<unsigned long long>(nonce),
                static_cast<unsigned long long>(serial));
  return std::string(node_name) + tail;
}

int64_t LeasePolicy::LeaseMs(int64_t deadline_ms, int64_t now_ms) const {
  return std::clamp(deadline_ms - now_ms + grace_ms, min_ms, max_ms);
}

LeaseScriptCall TakeLeaseCall(std::string_view prefix, std::string_view domain,
                              const std::string& token, int64_t px_ms, bool unless_record) {
  return {{RecordKey(prefix, domain), LeaseKey(prefix, domain)},
          {token, std::to_string(px_ms), unless_record ? "1" : "0"}};
}

LeaseScriptCall ReleaseLeaseCall(std::string_view prefix, std::string_view domain,
                                 const std::string& token) {
  return {{LeaseKey(prefix, domain)}, {token}};
}

Status ParseTakeReply(const Reply& reply, TakeResult* out) {
  if (reply.is_error()) return ErrorOf(reply);
  if (reply.type != Reply::Type::kInteger || reply.integer < 0 || reply.integer > 2)
    return Status::Corruption("Redis: unexpected reply to the lease script");
  *out = static_cast<TakeResult>(reply.integer);
  return Status::OK();
}

}  // namespace storage::fleet
