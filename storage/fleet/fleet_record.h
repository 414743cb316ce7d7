// Where and how long the fleet keeps a record in Redis, as pure functions: the key and the
// expiry. The value is fleet_record_codec.h's.
//
// Key: `{<prefix>:<domain>}r`: the hash tag keeps every key of one domain in one Cluster slot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/record.h"

namespace storage::fleet {

std::string RecordKey(std::string_view prefix, std::string_view domain);

// Milliseconds Redis should keep the record: its remaining freshness plus `stale_window_ms`
// (how long it may still be served stale), at most `max_ttl_ms`. 0 or less: not worth writing.
int64_t FleetExpiryMs(const Record& rec, int64_t now_ms, int64_t stale_window_ms,
                      int64_t max_ttl_ms);

// Only answers are shared: a fallback says this proxy got no answer, which another proxy (other
// source addresses, other budgets) may well get.
inline bool SharedInFleet(const Record& rec) { return rec.status != RecordStatus::kFallback; }

}  // namespace storage::fleet
