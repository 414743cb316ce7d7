// ValuePacker: the record store's encoder and decoder of record heads (r: and h: values) and
// chains (c: values). A packing store writes heads packed against a dictionary and chains
// compressed (record_codec.h: kPackedHeadVersion, kPackedChainVersion), and keeps LevelDB's
// blocks uncompressed: a cold read then decompresses one record instead of a block of a dozen.
// Every version written before is read.
//
// Thread-safe: the store's workers and the loop (RecordStore::TryGetNow) use it at once. A zstd
// context is scratch memory for one thread at a time, so each call borrows a set of contexts
// from a pool, which holds as many sets as calls ever ran at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/dictionary_compressor.h"
#include "storage/record.h"
#include "storage/record_codec.h"
#include "storage/status.h"

namespace storage {

class ValuePacker {
 public:
  // Reads heads packed with any of `dictionaries` (ids distinct, not 0). Packs (new heads with
  // the dictionary `write_id`, and every chain) unless `write_id` is 0 or names none of them;
  // then writes versions 1 and 2 as before packing. `level` is zstd's compression level.
  ValuePacker(std::vector<NamedDictionary> dictionaries, uint8_t write_id, int level);
  ~ValuePacker();
  ValuePacker(const ValuePacker&) = delete;
  ValuePacker& operator=(const ValuePacker&) = delete;

  // rec's head (rec.chain ignored); unpacked if packing fails (only without memory).
  std::string EncodeHead(const Record& rec);
  // DecodeRecordHead with this packer's dictionaries (and `packed`, see there).
  Status DecodeHead(std::string_view in, Record* rec, PackedJson* packed = nullptr);
  std::string EncodeChain(const std::vector<RawReply>& chain);
  Status DecodeChain(std::string_view in, std::vector<RawReply>* chain);

  // Whether new values are packed.
  bool packs() const { return write_id_ != 0; }

 private:
  struct Contexts;
  class Borrowed;

  const std::vector<NamedDictionary> dictionaries_;
  const uint8_t write_id_;
  const int level_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Contexts>> idle_;  // guarded by mu_
};

}  // namespace storage
