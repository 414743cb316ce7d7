// The fleet's live proxies as Redis keeps them, as pure code: the heartbeat's keys, its Lua
// script and the parsing of its reply.
//
// Keys, tagged `{<prefix>:fleet}` so that they share one slot:
//   ...nodes  hash: proxy name -> "<last heartbeat ms>\t<lookups in flight>\t<sources>" (the
//             sources comma-separated; the time is the Redis server's)
//   ...seen   sorted set: proxy name -> when its entry expires
// Each heartbeat writes its proxy's entry, drops every entry whose expiry has passed (a dead
// proxy disappears at the next heartbeat of any other) and answers the live ones; both keys
// expire when no proxy is left to refresh them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/fleet/reply.h"
#include "storage/status.h"

namespace storage::fleet {

struct FleetMember {
  std::string name;
  std::vector<std::string> sources;  // upstream source addresses; empty: the kernel's choice
  int64_t last_heartbeat_ms = 0;     // Redis's clock, ms since 1970
  int64_t lookups_in_flight = 0;
};

struct MemberKeys {
  std::string nodes, seen;
};
MemberKeys FleetMemberKeys(std::string_view prefix);

// KEYS nodes, seen. Answers {redis now ms, name, value, name, value, ...}.
extern const char kHeartbeatScript[];
std::vector<std::string> HeartbeatArgs(const FleetMember& self, int64_t expiry_ms);

// The live members, by name. Corruption for a reply the script does not give.
Status ParseHeartbeatReply(const Reply& reply, int64_t* redis_now_ms,
                           std::vector<FleetMember>* members);

}  // namespace storage::fleet
