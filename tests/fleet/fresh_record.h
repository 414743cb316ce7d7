// A record as the fleet tests publish and claim it: registered, fetched now (wall clock), fresh
// for an hour, with a minimal JSON naming `domain`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "storage/record.h"

namespace storage::fleet {

inline int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline Record FreshRecord(const std::string& domain) {
  Record rec;
  rec.status = RecordStatus::kRegistered;
  rec.fetched_at_ms = WallMs();
  rec.stale_at_ms = rec.fetched_at_ms + 3600 * 1000;
  rec.json = R"({"domain":")" + domain + R"(","status":"registered"})";
  return rec;
}

}  // namespace storage::fleet
