#include "storage/hash_index.h"

namespace storage {

namespace {
constexpr size_t kInitialCapacity = 64;
}  // namespace

std::optional<uint32_t> HashIndex::Find(uint64_t hash) const {
  if (entries_.empty()) return std::nullopt;
  const size_t mask = entries_.size() - 1;
  for (size_t i = Home(hash);; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (e.slot_plus_one == 0) return std::nullopt;
    if (e.hash == hash) return e.slot_plus_one - 1;
  }
}

void HashIndex::Put(uint64_t hash, uint32_t slot) {
  if ((size_ + 1) * 2 > entries_.size()) Grow();
  const size_t mask = entries_.size() - 1;
  for (size_t i = Home(hash);; i = (i + 1) & mask) {
    Entry& e = entries_[i];
    if (e.slot_plus_one == 0) {
      e = {hash, slot + 1};
      ++size_;
      return;
    }
    if (e.hash == hash) {
      e.slot_plus_one = slot + 1;
      return;
    }
  }
}

void HashIndex::Erase(uint64_t hash) {
  if (entries_.empty()) return;
  const size_t mask = entries_.size() - 1;
  size_t hole = Home(hash);
  for (;; hole = (hole + 1) & mask) {
    if (entries_[hole].slot_plus_one == 0) return;
    if (entries_[hole].hash == hash) break;
  }
  // Backward shift: move each following entry of the run into the hole when the hole lies on
  // its probe path (between its home and where it sits), so every entry stays reachable.
  for (size_t i = (hole + 1) & mask;; i = (i + 1) & mask) {
    Entry& e = entries_[i];
    if (e.slot_plus_one == 0) break;
    const size_t home = Home(e.hash);
    const bool reachable_from_hole = ((i - home) & mask) >= ((i - hole) & mask);
    if (reachable_from_hole) {
      entries_[hole] = e;
      hole = i;
    }
  }
  entries_[hole] = Entry{};
  --size_;
}

void HashIndex::Clear() {
  entries_.clear();
  size_ = 0;
}

void HashIndex::Grow() {
  std::vector<Entry> old;
  old.swap(entries_);
  entries_.assign(old.empty() ? kInitialCapacity : old.size() * 2, Entry{});
  size_ = 0;
  for (const Entry& e : old)
    if (e.slot_plus_one != 0) Put(e.hash, e.slot_plus_one - 1);
}

}  // namespace storage
