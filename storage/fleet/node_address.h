// NodeAddress: a Redis node's host and port, as `fleet-redis` and Redis's own replies (CLUSTER
// SLOTS, MOVED) spell them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace storage::fleet {

struct NodeAddress {
  std::string host;
  int port = 0;

  // "host:port" (an IPv6 host in brackets), the key under which a client keeps the connection.
  std::string ToString() const;
  bool operator==(const NodeAddress&) const = default;
};

// "HOST:PORT" or "[IPv6]:PORT" with a port in 1..65535; nullopt otherwise.
std::optional<NodeAddress> ParseNodeAddress(std::string_view text);

}  // namespace storage::fleet
