#include "storage/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace storage {

FrequencySketch::FrequencySketch(size_t expected_keys) {
  size_t keys = std::max<size_t>(expected_keys, 64);
  // About one 16-counter word per expected key (four counters per key, so each counter is
  // shared by about four keys), rounded up to whole blocks of 8 words.
  size_t blocks = std::bit_ceil((keys + 7) / 8);
  table_.assign(blocks * 8, 0);
  block_mask_ = blocks - 1;
  sample_size_ = 10 * keys;
}

FrequencySketch::Counters FrequencySketch::Locate(uint64_t hash) const {
  // Re-mix: the caller's hash also picks the hot set's slot, and the sketch must not see keys
  // that collide there as colliding here too.
  uint64_t h = hash * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  const size_t block = static_cast<size_t>(h >> 40) & block_mask_;
  Counters c;
  for (int i = 0; i < 4; ++i) {
    uint64_t bits = h >> (i * 8);
    c.word[i] = block * 8 + static_cast<size_t>(bits & 7);  // a word of the block
    c.shift[i] = static_cast<int>((bits >> 3) & 15) * 4;    // a counter of the word
  }
  return c;
}

void FrequencySketch::Increment(uint64_t hash) {
  const Counters c = Locate(hash);
  bool added = false;
  for (int i = 0; i < 4; ++i) {
    uint64_t& w = table_[c.word[i]];
    if (((w >> c.shift[i]) & 15) < kMaxCount) {
      w += uint64_t{1} << c.shift[i];
      added = true;
    }
  }
  if (added && ++additions_ >= sample_size_) Halve();
}

int FrequencySketch::Estimate(uint64_t hash) const {
  const Counters c = Locate(hash);
  int least = kMaxCount;
  for (int i = 0; i < 4; ++i)
    least = std::min(least, static_cast<int>((table_[c.word[i]] >> c.shift[i]) & 15));
  return least;
}

void FrequencySketch::Halve() {
  for (uint64_t& w : table_) w = (w >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
  ++halvings_;
}

void FrequencySketch::Clear() {
  std::fill(table_.begin(), table_.end(), 0);
  additions_ = 0;
}

}  // namespace storage
