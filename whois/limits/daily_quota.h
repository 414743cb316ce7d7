// A daily cap on connection starts that survives restarts, including kill -9.
//
// Quota is reserved ahead in blocks {start_ms, count} that the caller writes durably (a synced
// write of the value under q:<host>) BEFORE any unit of the block is used. After a restart every
// unit of every stored block counts as used, so no crash can make the proxy forget starts.
//
// Why the accounting is exact. A unit of a block may only be used in [start, start + lifetime)
// (kBlockLifetimeMs; for UTC days also never past the next midnight). So the starts that fall in
// any 24 h interval (a, a + 24h] come from blocks that started in (a - lifetime, a + 24h]. A
// block is granted only if, with it, the blocks that started in the last 24 h + lifetime add up
// to at most the cap, where a block still open counts in full and a closed one (expired or used
// up) counts what it used. Hence no 24 h interval ever holds more than `cap` starts; the price is
// that a steady maximal load gets `cap` per 24 h + lifetime. With DayKind::kUtcDay a block never
// outlives its UTC day, and the blocks that started in one day add up to at most the cap.
// Each stored value restates every block: closed ones with what they used, so units that expired
// unused are given back at the next write.
//
// Times are wall-clock milliseconds since the Unix epoch, passed in; they are compared with
// times stored by earlier processes, so a monotonic clock that restarts at boot will not do.
// Thread-compatible; pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {

inline constexpr int64_t kNeverMs = INT64_MAX;

struct QuotaBlock {
  int64_t start_ms = 0;
  int64_t count = 0;
  bool operator==(const QuotaBlock&) const = default;
};

// A block the caller must store before it may be used: write `encoded` under q:<host> with a
// synced write, then call OnReserved(block). If the write fails, call OnReservationFailed.
struct ReservationRequest {
  QuotaBlock block;
  std::string encoded;
};

class DailyQuota {
 public:
  // How long a reserved unit stays usable. Shorter wastes less of the day (see above) but costs
  // a write for each quiet spell; 15 minutes loses about 1% of a day's cap.
  static constexpr int64_t kBlockLifetimeMs = 15 * 60 * 1000;

  // Requires cap >= 1. Starts with nothing reserved (call Restore at start-up).
  DailyQuota(int64_t cap, DayKind day);

  // Changes the cap in place, keeping the blocks. A lowered cap applies to the day in
  // progress: open blocks are cut back so that what is charged does not exceed it.
  void SetCap(int64_t cap, DayKind day, int64_t now_ms);

  // Uses one reserved, confirmed, unexpired unit; false if there is none (nothing is used).
  bool TryConsume(int64_t now_ms);

  // Asks for a new block when fewer than max(wanted, low-water mark) units are usable, no
  // request is pending and the cap leaves room; otherwise nullopt. The block starts at now_ms
  // and holds max(block size, wanted - usable) units, at most what the cap leaves. Its units
  // cannot be used before OnReserved.
  std::optional<ReservationRequest> MaybeReserve(int64_t now_ms, int64_t wanted);

  // The pending block was stored; its units may be used. False if `block` is not the pending one.
  bool OnReserved(const QuotaBlock& block, int64_t now_ms);
  // The pending block could not be stored; forget it so that a later MaybeReserve asks again.
  void OnReservationFailed(const QuotaBlock& block);

  // After a restart: every unit of every block still inside the accounting period counts as
  // used. Blocks dated in the future (the clock stepped back) are taken as starting at now_ms.
  void Restore(const std::vector<QuotaBlock>& blocks, int64_t now_ms);
  // When the stored value is unreadable: count the whole cap as used at now_ms.
  void AssumeExhaustedAt(int64_t now_ms);

  // Confirmed units that can be used at now_ms.
  int64_t UsableAt(int64_t now_ms) const;
  // Units used (or counted as used after a restart) in the current day: the last 24 h for
  // kRolling24h, since 00:00 UTC for kUtcDay.
  int64_t UsedAt(int64_t now_ms) const;
  bool pending() const { return pending_.has_value(); }
  int64_t cap() const { return cap_; }
  DayKind day() const { return day_; }

  // A lower bound on when `units` more starts can have quota: now_ms if usable, pending and
  // still reservable units cover them, else when enough old blocks leave the accounting
  // period; kNeverMs if units > cap.
  int64_t EarliestUnitsMs(int64_t units, int64_t now_ms) const;

  // The stored form: "v1" then ";start_ms:count" per block, oldest first.
  static std::string Encode(const std::vector<QuotaBlock>& blocks);
  // Parses Encode's output. On error returns Corruption saying why ("quota record 'x': ...").
  static util::StatusOr<std::vector<QuotaBlock>> Decode(std::string_view text);

 private:
  struct Block {
    int64_t start_ms;
    int64_t count;
    int64_t used;
    int64_t expires_ms;  // units are usable in [start_ms, expires_ms)
  };

  int64_t BlockSize() const;
  int64_t ExpiryFor(int64_t start_ms) const;
  bool Counts(int64_t start_ms, int64_t now_ms) const;  // inside the accounting period
  static bool Open(const Block& b, int64_t now_ms) {
    return now_ms < b.expires_ms && b.used < b.count;
  }
  static int64_t Charge(const Block& b, int64_t now_ms) {
    return Open(b, now_ms) ? b.count : b.used;
  }
  int64_t RoomAt(int64_t now_ms) const;  // what a new block may hold
  void Prune(int64_t now_ms);

  int64_t cap_;
  DayKind day_;
  std::vector<Block> blocks_;  // confirmed, oldest first
  std::optional<QuotaBlock> pending_;
};

}  // namespace whois::limits
