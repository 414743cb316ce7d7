// Record: what the store keeps for one domain. The store treats `json` and the raw replies as
// opaque bytes; their meaning belongs to the WHOIS layer above.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace storage {

// Stored as one byte: the values are part of the on-disk layout and must never be renumbered.
enum class RecordStatus : uint8_t { kRegistered = 1, kNotFound = 2, kFallback = 3 };

// One hop of the upstream referral chain, as received.
struct RawReply {
  std::string server;
  std::string query;
  std::string text;
  int64_t fetched_at_ms = 0;

  bool operator==(const RawReply&) const = default;
};

struct Record {
  RecordStatus status = RecordStatus::kRegistered;
  bool imported = false;  // written by SET rather than fetched upstream
  int64_t fetched_at_ms = 0;
  int64_t stale_at_ms = 0;
  // Refresh back-off, kept with the record so that a restart does not forget it: how many
  // refreshes in a row ended without an answer, and the earliest time (Unix ms) the next may
  // start (0: any time). Both 0 for a record that was just fetched or imported.
  uint32_t refresh_failures = 0;
  int64_t refresh_after_ms = 0;
  std::string json;
  // Not read by RecordStore::Get (the fast path); use RecordStore::GetChain.
  std::vector<RawReply> chain;

  bool operator==(const Record&) const = default;
};

}  // namespace storage
