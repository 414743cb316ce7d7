#include "storage/hash_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

namespace storage {
namespace {

// Random puts, overwrites and erases checked against std::unordered_map after every step.
// Hashes are drawn from a small set of values sharing their low bits, so runs are long, wrap
// around the end of the table and get erased from the middle: the cases backward-shift deletion
// must keep reachable.
void CheckAgainstMap(std::vector<uint64_t> hashes, int steps, uint32_t seed) {
  std::mt19937 rng(seed);
  HashIndex index;
  std::unordered_map<uint64_t, uint32_t> model;
  for (int step = 0; step < steps; ++step) {
    const uint64_t h = hashes[rng() % hashes.size()];
    const uint32_t slot = rng() % 1000;
    if (rng() % 3 == 0) {
      index.Erase(h);
      model.erase(h);
    } else {
      index.Put(h, slot);
      model[h] = slot;
    }
    ASSERT_EQ(index.size(), model.size()) << "step " << step;
    for (uint64_t probe : hashes) {
      auto it = model.find(probe);
      std::optional<uint32_t> got = index.Find(probe);
      if (it == model.end()) {
        ASSERT_FALSE(got.has_value()) << "step " << step << " hash " << probe;
      } else {
        ASSERT_TRUE(got.has_value()) << "step " << step << " hash " << probe;
        ASSERT_EQ(*got, it->second) << "step " << step;
      }
    }
  }
}

TEST(HashIndexTest, MatchesAMapWithWellMixedHashes) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> hashes(300);
  for (uint64_t& h : hashes) h = rng();
  CheckAgainstMap(hashes, 3000, 1);
}

TEST(HashIndexTest, MatchesAMapWhenHashesShareTheirLowBits) {
  std::vector<uint64_t> hashes;
  // Homes 0, 62 and 63 of the first 64-entry table: long runs that wrap around.
  for (uint64_t i = 0; i < 20; ++i) {
    hashes.push_back(i << 40);
    hashes.push_back((i << 40) | 62);
    hashes.push_back((i << 40) | 63);
  }
  CheckAgainstMap(hashes, 3000, 2);
}

TEST(HashIndexTest, GrowsAndKeepsEverything) {
  HashIndex index;
  for (uint32_t i = 0; i < 100000; ++i) index.Put(uint64_t{i} * 0x9E3779B97F4A7C15ull, i);
  EXPECT_EQ(index.size(), 100000u);
  for (uint32_t i = 0; i < 100000; ++i) {
    std::optional<uint32_t> got = index.Find(uint64_t{i} * 0x9E3779B97F4A7C15ull);
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(*got, i);
  }
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.Find(0x9E3779B97F4A7C15ull).has_value());
}

}  // namespace
}  // namespace storage
