// The one hash the storage module uses to place a key: worker choice, record-count shard,
// freshness jitter and the hot set all derive from it, so it must never change for a given
// key once records exist (count shards are persisted). XXH3_64bits, seed 0.
#pragma once

#include <cstdint>
#include <string_view>

namespace storage {

uint64_t KeyHash(std::string_view key);

}  // namespace storage
