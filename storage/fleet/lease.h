// Single-flight leases, the pure part: what a proxy writes to Redis before it goes upstream for a
// domain so that the fleet resolves each domain once, and how long it waits between polls.
//
// Key: `{<prefix>:<domain>}l`, in the slot of the domain's record key (the same hash tag), so
// that one Lua script may read the record and take the lease together in a Cluster.
// Value: the holder's token `<node-name>/<nonce>-<serial>`: the node name says who holds it
// (for an operator reading Redis), the nonce (random per process) and the serial (per lease)
// make it this lease's alone, so a holder releases only a lease it still holds, never the one
// another proxy took over after its own expired, and a restarted proxy of the same name never
// mistakes an old lease for its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/fleet/backoff.h"
#include "storage/fleet/reply.h"
#include "storage/status.h"

namespace storage::fleet {

std::string LeaseKey(std::string_view prefix, std::string_view domain);
std::string LeaseToken(std::string_view node_name, uint64_t nonce, uint64_t serial);

struct LeasePolicy {
  // Added to the time the lookup has left: the holder still stores and publishes the record.
  int64_t grace_ms = 1000;
  int64_t min_ms = 1000;
  // No lease is longer (a background lookup's budget is a minute): a waiter that saw a lease
  // knows it is gone within this, so it waits no longer than this before it resolves itself.
  int64_t max_ms = 61 * 1000;
  // Between polls of the record key while another proxy holds the lease: quick at first (most
  // lookups end within a few hundred milliseconds), then at most twice a second.
  Backoff poll{25, 500};

  // PX of a lease for a lookup whose deadline is `deadline_ms` (same clock as `now_ms`): the time
  // left plus the grace, within [min_ms, max_ms].
  int64_t LeaseMs(int64_t deadline_ms, int64_t now_ms) const;
  // The wait before poll number `polls` + 1 (0 for the first).
  int64_t PollDelayMs(uint32_t polls) const { return poll.DelayMs(polls + 1); }
};

// Takes the lease unless it is held, in one atomic step with a look at the record.
// KEYS: record key, lease key. ARGV: token, PX, "1" to refuse when the record exists (the caller
// just found none: one published since must be read, not resolved again) or "0" (the caller read
// a record it cannot use, e.g. one due for a refresh).
// Returns 1 (taken), 0 (held by another) or 2 (the record exists now).
inline constexpr std::string_view kTakeLeaseScript =
    "if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 2 end "
    "if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end "
    "return 0";
// Deletes the lease only if it still holds this token. KEYS: lease key. ARGV: token.
// Returns 1 (released) or 0 (it had expired, and perhaps another proxy holds it now).
inline constexpr std::string_view kReleaseLeaseScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

enum class TakeResult { kHeld = 0, kTaken = 1, kRecordExists = 2 };

// One run of a lease script, for FleetScript::Run (which routes it by keys[0]).
struct LeaseScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};
// kTakeLeaseScript's keys and arguments.
LeaseScriptCall TakeLeaseCall(std::string_view prefix, std::string_view domain,
                              const std::string& token, int64_t px_ms, bool unless_record);
// kReleaseLeaseScript's.
LeaseScriptCall ReleaseLeaseCall(std::string_view prefix, std::string_view domain,
                                 const std::string& token);
// The script's reply; an error for anything it cannot return (an error reply, Redis without Lua).
Status ParseTakeReply(const Reply& reply, TakeResult* out);

}  // namespace storage::fleet
