// HotSet: a byte-bounded in-memory map from a key to ready reply bytes, for the hit path of GET.
// Entries are indexed by a 64-bit hash of the key and keep the full key, so a hash collision is a
// miss, never a wrong answer (the newer key replaces the older one). Eviction is CLOCK: a hit
// only sets a bit, so Find is one hash, one probe and no allocation. Once the set is full,
// admission is TinyLFU: every Find counts its key in a FrequencySketch, and a new key enters only
// if it has been asked for more often than the entry CLOCK would evict for it; so a stream of
// keys asked for once passes by without pushing out the ones asked for again. Each entry goes stale
// at its stale_at_ms and is then dropped, unless it may be served stale (HotEntry::serve_stale),
// which it may until it has been stale for the max_stale_ms a Find gives; time is passed in. Not
// thread-safe: one owner thread (the loop).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/frequency_sketch.h"
#include "storage/hash_index.h"

namespace storage {

// What the hot set keeps beside an entry's bytes.
struct HotEntry {
  static constexpr int64_t kNever = INT64_MAX;

  int64_t stale_at_ms = 0;
  // A hit at or after this time should start a background refresh (the owner decides what
  // that means; the set only keeps the time).
  int64_t refresh_at_ms = kNever;
  bool serve_stale = false;  // may still be found after stale_at_ms, as a stale hit
  bool stale_form = false;   // the value is already the reply for a stale hit
  bool compressed = false;   // the value is in the owner's compressed form
};

class HotSet {
 public:
  using HashFn = uint64_t (*)(std::string_view);

  // Bytes charged per entry on top of its key and value (slot, index node, string headers).
  static constexpr size_t kEntryOverheadBytes = 128;
  // Keys up to this size (almost every domain) live inside the slot, so checking that a hit
  // is the key asked for touches no memory beyond the slot itself: on the hit path each cache
  // miss counts.
  static constexpr size_t kInlineKeyBytes = 48;

  // max_bytes bounds key + value + kEntryOverheadBytes summed over entries; 0 disables the set.
  explicit HotSet(size_t max_bytes);
  // For tests: a custom hash, e.g. a constant one to force collisions.
  HotSet(size_t max_bytes, HashFn hash);

  HotSet(const HotSet&) = delete;
  HotSet& operator=(const HotSet&) = delete;

  struct Hit {
    const std::string* value = nullptr;  // nullptr: a miss
    const HotEntry* entry = nullptr;
    bool stale = false;  // stale_at_ms <= now_ms
    explicit operator bool() const { return value != nullptr; }
  };
  // key's entry. A miss if it is absent, or stale (stale_at_ms <= now_ms) and either not
  // serve_stale or stale for max_stale_ms or longer; such an entry is dropped. The pointers are
  // valid until the next non-const call.
  Hit Find(std::string_view key, int64_t now_ms, int64_t max_stale_ms);
  // The value of a fresh entry, or nullptr (a stale entry is dropped).
  const std::string* Find(std::string_view key, int64_t now_ms) {
    return Find(key, now_ms, 0).value;
  }

  // Inserts or replaces key's value, evicting other entries as needed. A value too large for
  // the whole set is not stored (and any older value for key is dropped). A new key that needs
  // room is refused (not stored; counted in rejected()) unless it was asked for more often than
  // the entry it would evict (or that one not at all); a key already present is always replaced.
  void Insert(const std::string& key, std::string value, const HotEntry& entry);
  void Insert(const std::string& key, std::string value, int64_t stale_at_ms) {
    Insert(key, std::move(value), HotEntry{.stale_at_ms = stale_at_ms});
  }
  // As Insert, but the value is made only once the key is admitted (a value that costs work to
  // make, such as a compressed one, costs nothing for the keys admission turns away):
  // make() is called at most once and returns the value; value_bytes is what admission weighs
  // (at least the size make() returns, e.g. the size before compression).
  template <typename Make>
  void InsertMade(const std::string& key, size_t value_bytes, const HotEntry& entry, Make&& make) {
    const uint64_t h = hash_(key);
    if (Admit(key, h, value_bytes)) Place(key, h, make(), entry);
  }
  // Changes the refresh time of key's entry, if there is one.
  void SetRefreshAt(std::string_view key, int64_t refresh_at_ms);

  void Erase(std::string_view key);
  void Clear();

  size_t size() const { return index_.size(); }
  size_t bytes() const { return bytes_; }
  size_t max_bytes() const { return max_bytes_; }
  // True once an entry has had to wait for room: from then on admission weighs newcomers.
  bool full() const { return full_; }
  // How often key was asked for recently (0..FrequencySketch::kMaxCount), as admission weighs
  // it; 0 until the set has first been full (nothing is counted before).
  int Frequency(std::string_view key) const { return full_ ? sketch_.Estimate(hash_(key)) : 0; }
  // Entries whose HotEntry::compressed is set.
  size_t compressed() const { return compressed_; }
  // New keys refused by admission since construction.
  uint64_t rejected() const { return rejected_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    HotEntry entry;
    uint32_t key_size = 0;
    bool used = false;
    bool referenced = false;
    char key_inline[kInlineKeyBytes];
    std::string key_heap;  // a longer key
    std::string value;

    std::string_view key() const {
      return key_size <= kInlineKeyBytes ? std::string_view(key_inline, key_size)
                                         : std::string_view(key_heap);
    }
    void SetKey(std::string_view k) {
      key_size = static_cast<uint32_t>(k.size());
      if (k.size() <= kInlineKeyBytes) {
        k.copy(key_inline, k.size());
        std::string().swap(key_heap);
      } else {
        key_heap.assign(k);
      }
    }
  };

  static size_t Cost(const Slot& s) { return s.key_size + s.value.size() + kEntryOverheadBytes; }
  // Drops any entry with key's hash, then decides whether key may enter with a value of
  // value_bytes (TinyLFU once the set is full).
  bool Admit(const std::string& key, uint64_t h, size_t value_bytes);
  // Stores an admitted key's value, evicting as needed.
  void Place(const std::string& key, uint64_t h, std::string value, const HotEntry& entry);
  void RemoveSlot(uint32_t slot);
  // The slot CLOCK evicts next (the hand stops on it; referenced slots passed lose their bit).
  uint32_t NextVictim();
  // Evicts NextVictim() and moves the hand past it: the slot it frees is where the next entry
  // goes, and that entry must not be the next victim.
  void EvictOne();

  const size_t max_bytes_;
  const HashFn hash_;
  size_t bytes_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  HashIndex index_;  // hash -> slot
  size_t hand_ = 0;  // CLOCK hand into slots_
  // Counts keys only once the set has been full: until then every key is admitted, and the hot
  // path of a set that holds everything pays nothing for it.
  FrequencySketch sketch_;
  bool full_ = false;
  uint64_t rejected_ = 0;
  size_t compressed_ = 0;
};

}  // namespace storage
