// SlotMap: which Redis Cluster master serves each of the 16384 slots, read from CLUSTER SLOTS.
// Pure: built from a Reply, asked by slot; MOVED updates one slot until the next full refresh.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/fleet/key_slot.h"
#include "storage/fleet/node_address.h"
#include "storage/fleet/reply.h"
#include "storage/status.h"

namespace storage::fleet {

class SlotMap {
 public:
  // Replaces the map with a CLUSTER SLOTS reply: an array of [start, end, [host, port, ...],
  // replicas...]. Only masters are used (the fleet never reads from replicas). An empty host
  // (a node that does not know its own address) is `default_host`, the node that answered.
  // Error (the map unchanged): anything else, or a slot range out of 0..16383.
  Status Parse(const Reply& reply, const std::string& default_host);

  // The master of `slot`, or nullptr if no master covers it.
  const NodeAddress* NodeFor(int slot) const;
  // A MOVED reply: `slot` now lives on `node`.
  void Assign(int slot, const NodeAddress& node);

  // Every master, once each.
  const std::vector<NodeAddress>& nodes() const { return nodes_; }
  bool empty() const { return nodes_.empty(); }
  // Slots covered by some master (16384 in a healthy cluster).
  int covered() const;

 private:
  uint16_t IndexOf(const NodeAddress& node);

  static constexpr uint16_t kNone = 0xffff;
  std::vector<NodeAddress> nodes_;
  std::array<uint16_t, kClusterSlots> owner_{};  // index into nodes_, or kNone
  bool built_ = false;
};

}  // namespace storage::fleet
