#include "storage/key_hash.h"

#include <xxhash.h>

namespace storage {

uint64_t KeyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace storage
