#include "storage/fleet/slot_map.h"

namespace storage::fleet {

Status SlotMap::Parse(const Reply& reply, const std::string& default_host) {
  if (reply.type != Reply::Type::kArray)
    return Status::Corruption("CLUSTER SLOTS did not answer an array");
  SlotMap fresh;
  fresh.owner_.fill(kNone);
  fresh.built_ = true;
  for (const Reply& range : reply.elements) {
    if (range.type != Reply::Type::kArray || range.elements.size() < 3 ||
        range.elements[0].type != Reply::Type::kInteger ||
        range.elements[1].type != Reply::Type::kInteger ||
        range.elements[2].type != Reply::Type::kArray || range.elements[2].elements.size() < 2)
      return Status::Corruption("CLUSTER SLOTS: a slot range is not [start, end, [host, port]]");
    int64_t first = range.elements[0].integer, last = range.elements[1].integer;
    if (first < 0 || last >= kClusterSlots || first > last)
      return Status::Corruption("CLUSTER SLOTS: slot range " + std::to_string(first) + "-" +
                                std::to_string(last) + " is outside 0-16383");
    const Reply& master = range.elements[2];
    if (master.elements[0].type != Reply::Type::kString ||
        master.elements[1].type != Reply::Type::kInteger || master.elements[1].integer < 1 ||
        master.elements[1].integer > 65535)
      return Status::Corruption("CLUSTER SLOTS: a master is not [host, port]");
    NodeAddress node{master.elements[0].str.empty() ? default_host : master.elements[0].str,
                     static_cast<int>(master.elements[1].integer)};
    uint16_t index = fresh.IndexOf(node);
    for (int64_t s = first; s <= last; ++s) fresh.owner_[static_cast<size_t>(s)] = index;
  }
  *this = std::move(fresh);
  return Status::OK();
}

uint16_t SlotMap::IndexOf(const NodeAddress& node) {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i] == node) return static_cast<uint16_t>(i);
  nodes_.push_back(node);
  return static_cast<uint16_t>(nodes_.size() - 1);
}

const NodeAddress* SlotMap::NodeFor(int slot) const {
  if (!built_ || slot < 0 || slot >= kClusterSlots) return nullptr;
  uint16_t index = owner_[static_cast<size_t>(slot)];
  return index == kNone ? nullptr : &nodes_[index];
}

void SlotMap::Assign(int slot, const NodeAddress& node) {
  if (slot < 0 || slot >= kClusterSlots) return;
  if (!built_) {
    owner_.fill(kNone);
    built_ = true;
  }
  owner_[static_cast<size_t>(slot)] = IndexOf(node);
}

int SlotMap::covered() const {
  if (!built_) return 0;
  int n = 0;
  for (uint16_t o : owner_) n += o != kNone;
  return n;
}

}  // namespace storage::fleet
