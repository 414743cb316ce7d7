// What the fleet keeps in Redis for one domain, as pure functions: the key, the value (a record
// head compressed with zstd) and its expiry.
//
// Key: `{<prefix>:<domain>}r`: the hash tag keeps every key of one domain in one Cluster slot.
// Value: one version byte (1), then the zstd frame of the record head as the local store
// encodes it (record_codec.h: status, flags, times, JSON). The raw upstream chain is not shared:
// it is most of a record's bytes and only WHOIS.RAW reads it; the proxy that fetched the record
// keeps it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/record.h"
#include "storage/status.h"

namespace storage::fleet {

inline constexpr uint8_t kFleetRecordVersion = 1;
// A value that says it inflates past this is refused (a record's JSON is a few KB).
inline constexpr size_t kMaxFleetRecordBytes = 4u << 20;

std::string RecordKey(std::string_view prefix, std::string_view domain);

// The record's head (the chain and the refresh back-off are left out), compressed.
std::string EncodeFleetRecord(const Record& rec);
// Corruption for anything EncodeFleetRecord did not write; *rec then unspecified.
Status DecodeFleetRecord(std::string_view in, Record* rec);

// Milliseconds Redis should keep the record: its remaining freshness plus `stale_window_ms`
// (how long it may still be served stale), at most `max_ttl_ms`. 0 or less: not worth writing.
int64_t FleetExpiryMs(const Record& rec, int64_t now_ms, int64_t stale_window_ms,
                      int64_t max_ttl_ms);

// Only answers are shared: a fallback says this proxy got no answer, which another proxy (other
// source addresses, other budgets) may well get.
inline bool SharedInFleet(const Record& rec) { return rec.status != RecordStatus::kFallback; }

}  // namespace storage::fleet
