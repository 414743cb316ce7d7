// Redis Cluster redirections: "MOVED <slot> <host>:<port>" (the slot has a new owner: update the
// map and retry there) and "ASK <slot> <host>:<port>" (this one key is being migrated: send
// ASKING then the command to that node once, the map unchanged). Pure.
#pragma once

#include <optional>
#include <string_view>

#include "storage/fleet/node_address.h"

namespace storage::fleet {

struct Redirect {
  enum class Kind { kMoved, kAsk };
  Kind kind = Kind::kMoved;
  int slot = 0;
  NodeAddress node;
};

// The redirection an error reply's text names, or nullopt for any other error. An empty host
// (":6380", sent by a node that does not know its address) is `default_host`.
std::optional<Redirect> ParseRedirect(std::string_view error, std::string_view default_host);

}  // namespace storage::fleet
