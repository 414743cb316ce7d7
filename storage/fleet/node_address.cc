#include "storage/fleet/node_address.h"

#include "util/host_port.h"

namespace storage::fleet {

std::string NodeAddress::ToString() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::optional<NodeAddress> ParseNodeAddress(std::string_view text) {
  // A Redis node always needs its port; a host name is allowed as well as an address.
  std::optional<util::AddressPort> split = util::SplitAddressPort(text);
  if (!split || split->port == 0 || split->address.empty()) return std::nullopt;
  return NodeAddress{std::string(split->address), split->port};
}

}  // namespace storage::fleet
