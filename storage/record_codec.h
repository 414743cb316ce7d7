// Pure encoders and decoders for the values the record store writes (see storage/README.md for
// the layout). Decoders never trust their input: a truncated, garbled or unknown-version value
// gives a Corruption status and leaves the output in an unspecified but valid state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record.h"
#include "storage/status.h"

namespace storage {

class DictionaryCompressor;

// Version byte at the start of every r: and c: value. Bump it (and keep decoding the old one)
// when the value layout changes.
inline constexpr uint8_t kValueLayoutVersion = 1;
// A record head with refresh back-off: version 1's fields, then refresh_failures (4 bytes) and
// refresh_after_ms (8 bytes), then the JSON. Written only when the back-off is set, so a record
// without one keeps version 1's bytes.
inline constexpr uint8_t kHeadWithRefreshVersion = 2;

// A packed head: version 1's fields, refresh_failures and refresh_after_ms (always), the id of
// a dictionary (one byte, not 0), then the JSON as one zstd frame compressed against that
// dictionary. A ~1.3 KB record packs to a few hundred bytes on its own, so the store can keep
// LevelDB's blocks uncompressed (Snappy gains almost nothing on such values and skips them) and
// a read decompresses one record instead of a whole block.
inline constexpr uint8_t kPackedHeadVersion = 3;
// A packed head whose JSON claims more than this is refused (a record's JSON is a few KB).
inline constexpr size_t kMaxPackedJsonBytes = 16u << 20;

// The compressor made with the dictionary `id`, or nullptr for an id it does not know.
using HeadDictionaries = std::function<DictionaryCompressor*(uint8_t id)>;

// A packed head's JSON as stored: the zstd frame and the id of its dictionary. What the hot set
// keeps compressed, so that a read from the store does not compress the record again.
struct PackedJson {
  uint8_t dictionary = 0;  // 0: the head was not packed
  std::string frame;
};

// r:<domain> — version, status, flags, fetched_at_ms, stale_at_ms, [refresh_failures,
// refresh_after_ms,] then the JSON. Ignores rec.chain.
std::string EncodeRecordHead(const Record& rec);
// The packed head (kPackedHeadVersion) of rec, its JSON compressed by `compressor`, which must
// be made with the dictionary `dictionary_id` (not 0). False, and *out unchanged, only without
// memory.
bool EncodePackedRecordHead(const Record& rec, uint8_t dictionary_id,
                            DictionaryCompressor& compressor, std::string* out);
// Decodes every version; a packed head's JSON with dictionaries(id). A packed head whose
// dictionary is not known (or without `dictionaries`) is Corruption, saying so. `packed`, if
// given, gets a packed head's frame (and is cleared for any other).
Status DecodeRecordHead(std::string_view in, Record* rec,
                        const HeadDictionaries& dictionaries = nullptr,
                        PackedJson* packed = nullptr);

// c:<domain> — version, hop count, then per hop: server, query, text (each length-prefixed) and
// fetched_at_ms.
std::string EncodeChain(const std::vector<RawReply>& chain);
// A packed chain: version kPackedChainVersion, then EncodeChain's bytes as one zstd frame
// (without a dictionary). Stores that pack their heads keep LevelDB's blocks uncompressed, so
// the raw replies are compressed here instead. False, and *out unchanged, only without memory.
inline constexpr uint8_t kPackedChainVersion = 2;
// A packed chain that claims more than this is refused.
inline constexpr size_t kMaxPackedChainBytes = 64u << 20;
bool EncodePackedChain(const std::vector<RawReply>& chain, DictionaryCompressor& plain,
                       std::string* out);
// Decodes both versions; a packed one with `plain` (a compressor without a dictionary), and
// without one it is Corruption.
Status DecodeChain(std::string_view in, std::vector<RawReply>* chain,
                   DictionaryCompressor* plain = nullptr);

// m:count:<n> — a record counter, 8 bytes little-endian.
std::string EncodeCounter(uint64_t n);
Status DecodeCounter(std::string_view in, uint64_t* n);

}  // namespace storage
