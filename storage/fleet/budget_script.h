// What the fleet keeps in Redis for a `scope all` budget of one upstream host, as pure code: the
// keys, the Lua scripts that keep them (each one atomic on keys in one Cluster slot), their
// arguments and the parsing of their replies. FleetBudgets (server/) runs them.
//
// Keys, all tagged `{<prefix>:budget:<host>}` so that they share one slot:
//   ...w  sorted set: one member per start, scored by when it counts from. A start is added at
//         its grant scored `now + unsent_hold_ms` (it counts as just made until its query is
//         written, as the local budget's unsent starts do: limits/budget.h), and re-scored to
//         the moment it was written by kFinishScript. Members older than the longest window
//         are dropped by the next grant.
//   ...c  sorted set: one member per concurrency slot held, scored by its expiry (`now +
//         slot_ttl_ms`): a dead proxy's slots come back when they expire.
//   ...d  hash: starts per UTC hour ("h<hour>": rolling 24 h caps, counted over the 25 hours
//         that touch the last 24 h, never fewer than the real count) or per UTC day
//         ("d<day>": `daily-reset utc`).
// Every time is the Redis server's (TIME inside the script), so the proxies' clocks do not
// matter. Each key expires on its own once nothing refreshes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/fleet/reply.h"
#include "storage/status.h"

namespace storage::fleet {

struct BudgetKeys {
  std::string window, slots, daily;
};
BudgetKeys FleetBudgetKeys(std::string_view prefix, std::string_view host);

// One budget's limits as the scripts see them (the caller adds jitter margins to windows).
struct FleetRate {
  int64_t count = 0;
  int64_t window_ms = 0;
};
struct FleetLimits {
  std::vector<FleetRate> rates;
  int64_t concurrency = 0;  // 0: none
  int64_t daily = 0;        // 0: none
  bool utc_day = false;     // daily counted per UTC day, else over any 24 h
  int64_t slot_ttl_ms = 0;  // a concurrency slot's expiry
  int64_t unsent_hold_ms = 0;
};

// KEYS window, slots, daily. A grant takes a slot, counts a start and a unit of the day.
extern const char kAcquireScript[];
std::vector<std::string> AcquireArgs(const FleetLimits& limits, std::string_view token);

struct AcquireVerdict {
  enum class Why { kGranted, kConcurrency, kRate, kDaily };
  Why why = Why::kGranted;
  bool granted() const { return why == Why::kGranted; }
  // With a refusal: when to ask again; -1 when the script cannot tell (a slot held, or a
  // start not yet written fills the window): poll.
  int64_t wait_ms = -1;
  int64_t redis_now_ms = 0;
  int64_t daily_used = 0;  // units of the day counted (this grant included); 0 without a cap
};
// Corruption for a reply kAcquireScript does not give (an error reply: IOError with its text).
Status ParseAcquireReply(const Reply& reply, AcquireVerdict* out);

// KEYS window, slots. The start's query was written (its member is re-scored to now unless it
// already was) and, with `release`, its connection closed (its slot is freed).
extern const char kFinishScript[];
std::vector<std::string> FinishArgs(std::string_view token, bool release);

// KEYS window, daily. The conservative restart after a local-share period (see FleetBudgets):
// fills every window to its count with members `<token_prefix><i>` scored now, and adds
// `daily_starts` units to the day's count. Answers how many members it added.
extern const char kCarryScript[];
std::vector<std::string> CarryArgs(std::string_view token_prefix, int64_t daily_starts,
                                   const FleetLimits& limits);

}  // namespace storage::fleet
