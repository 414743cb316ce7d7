// FrequencySketch: how often each key was seen recently, approximately, in constant memory (the
// TinyLFU sketch, as in Caffeine): a count-min sketch of 4-bit counters, four per key, all in one
// 64-byte block so that counting a key costs one cache miss. Estimates never undercount (until
// aging); they saturate at 15. After `sample_size` counts every counter is halved, so the sketch
// follows what is popular now rather than what was popular once. Pure, single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace storage {

class FrequencySketch {
 public:
  static constexpr int kMaxCount = 15;

  // Sized for about `expected_keys` distinct keys in the sample (at least 64); halves every
  // 10 x expected_keys counts.
  explicit FrequencySketch(size_t expected_keys);

  // Counts one occurrence of the key with this 64-bit hash.
  void Increment(uint64_t hash);
  // How often the key was seen (0..kMaxCount), never less than it was counted since the last
  // halving, more only when other keys share all four of its counters.
  int Estimate(uint64_t hash) const;
  // Forgets everything.
  void Clear();

  size_t sample_size() const { return sample_size_; }
  uint64_t halvings() const { return halvings_; }

 private:
  // The four counters of a hash: word index and nibble shift of each.
  struct Counters {
    size_t word[4];
    int shift[4];
  };
  Counters Locate(uint64_t hash) const;
  void Halve();

  std::vector<uint64_t> table_;  // 16 counters per word, 8 words per block
  size_t block_mask_ = 0;
  size_t sample_size_ = 0;
  size_t additions_ = 0;
  uint64_t halvings_ = 0;
};

}  // namespace storage
