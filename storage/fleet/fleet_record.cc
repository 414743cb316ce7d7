#include "storage/fleet/fleet_record.h"

#include <algorithm>

namespace storage::fleet {

std::string RecordKey(std::string_view prefix, std::string_view domain) {
  std::string key;
  key.reserve(prefix.size() + domain.size() + 4);
  key += '{';
  key += prefix;
  key += ':';
  key += domain;
  key += "}r";
  return key;
}

int64_t FleetExpiryMs(const Record& rec, int64_t now_ms, int64_t stale_window_ms,
                      int64_t max_ttl_ms) {
  int64_t ttl = rec.stale_at_ms - now_ms + std::max<int64_t>(0, stale_window_ms);
  return std::min(ttl, max_ttl_ms);
}

}  // namespace storage::fleet
