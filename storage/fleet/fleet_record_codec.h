// The value the fleet keeps in Redis for one record: the record head (record_codec.h: status,
// flags, times, JSON; the raw upstream chain and this proxy's refresh back-off are left out)
// compressed with zstd, with the frame's checksum, behind a version byte:
//
//   1  zstd frame, no dictionary. Read, and written only by a codec without a dictionary to
//      write with (the format of proxies before dictionaries).
//   2  one byte: the id of the dictionary, then a zstd frame compressed with that dictionary.
//
// A dictionary is raw content (text the compressor may copy from, ZSTD_createCDict): text of
// typical records lets a ~1.5 KB record compress to a few hundred bytes, where a record alone
// gives zstd too little to learn from (about 2x). The id names the dictionary's exact bytes, so
// a dictionary is never changed: a new text gets a new id, and a proxy keeps the old ones to read
// what older proxies wrote. A value naming a dictionary this proxy does not have is refused with
// a Corruption status saying so (a newer proxy's value), never decoded with the wrong one.
//
// Not thread-safe (it reuses one zstd context each way): one codec per loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/dictionary_compressor.h"
#include "storage/record.h"
#include "storage/status.h"

namespace storage::fleet {

inline constexpr uint8_t kFleetRecordPlainVersion = 1;
inline constexpr uint8_t kFleetRecordDictionaryVersion = 2;
// A value that says it inflates past this is refused (a record's JSON is a few KB).
inline constexpr size_t kMaxFleetRecordBytes = 4u << 20;

using FleetDictionary = NamedDictionary;

class FleetRecordCodec {
 public:
  // Reads values written with any of `dictionaries` (ids must be distinct and not 0) and with
  // none; writes with the dictionary `write_id`, or without one (format 1) when `write_id` is 0
  // or names none of them. `level` is zstd's compression level.
  FleetRecordCodec(std::vector<FleetDictionary> dictionaries, uint8_t write_id, int level = 3);
  ~FleetRecordCodec();
  FleetRecordCodec(FleetRecordCodec&&) noexcept;
  FleetRecordCodec& operator=(FleetRecordCodec&&) noexcept;
  FleetRecordCodec(const FleetRecordCodec&) = delete;
  FleetRecordCodec& operator=(const FleetRecordCodec&) = delete;

  // `rec`'s head (chain and refresh back-off left out), compressed.
  std::string Encode(const Record& rec);
  // Corruption, with a message naming what is wrong, for anything Encode of a codec with the
  // same dictionaries did not write (unknown version or dictionary, damaged or cut frame); *rec
  // is then unspecified. rec->chain is cleared.
  Status Decode(std::string_view in, Record* rec);

  // The id values are written with (0: format 1).
  uint8_t write_id() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace storage::fleet
