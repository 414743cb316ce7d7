// HashIndex: an open-addressing map from a 64-bit hash to a 32-bit slot number, for HotSet.
// Linear probing in one flat array, so a lookup is one cache miss where a node-based map costs a
// bucket, a node and a modulo per node; deletion shifts the following entries back, so there are
// no tombstones and lookups never slow down with churn. The hash must already be well mixed
// (xxHash): its low bits pick the bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace storage {

class HashIndex {
 public:
  std::optional<uint32_t> Find(uint64_t hash) const;
  // Maps hash to slot, replacing what hash mapped to before.
  void Put(uint64_t hash, uint32_t slot);
  // Removes hash if present.
  void Erase(uint64_t hash);
  void Clear();
  size_t size() const { return size_; }

 private:
  struct Entry {
    uint64_t hash = 0;
    uint32_t slot_plus_one = 0;  // 0: empty
  };
  size_t Home(uint64_t hash) const { return static_cast<size_t>(hash) & (entries_.size() - 1); }
  void Grow();

  std::vector<Entry> entries_;  // size is 0 or a power of two, at most half full
  size_t size_ = 0;
};

}  // namespace storage
