// DictionaryCompressor: zstd for short byte strings (a record's JSON, a reply), optionally
// against one raw-content dictionary (text the compressor may copy from as if it preceded every
// input; ZSTD_createCDict). A record alone gives zstd too little to learn from (about 2x); with
// a dictionary of typical records a ~1.5 KB record compresses to a few hundred bytes.
//
// Compress writes one zstd frame with its content size (and, if asked, zstd's checksum);
// DecompressTo reads only such frames, made with the same dictionary. Not thread-safe (it
// reuses one zstd context each way): one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace storage {

// A dictionary and the id a value compressed with it carries. An id names the exact bytes for
// good: new text gets a new id, and readers keep the old ones to read what was written with them.
struct NamedDictionary {
  uint8_t id = 0;  // 1..255; 0 means none
  std::string content;
};

class DictionaryCompressor {
 public:
  // An empty dictionary compresses without one. `checksum` adds zstd's 4-byte checksum of the
  // content to each frame, so that a frame damaged in transit or read with another dictionary
  // is refused rather than decoded into other bytes. `raw_literals` leaves the bytes zstd finds
  // no match for without Huffman coding: with a dictionary most of a record is matches, so the
  // frame grows ~3% and decompresses in about half the time (no table to build per frame).
  DictionaryCompressor(std::string_view dictionary, int level, bool checksum,
                       bool raw_literals = false);
  ~DictionaryCompressor();
  DictionaryCompressor(DictionaryCompressor&&) noexcept;
  DictionaryCompressor& operator=(DictionaryCompressor&&) noexcept;
  DictionaryCompressor(const DictionaryCompressor&) = delete;
  DictionaryCompressor& operator=(const DictionaryCompressor&) = delete;

  // False if zstd could not build the dictionary (out of memory); such a compressor must not
  // be used.
  bool ok() const;

  // Appends `in` compressed to *out. Fails (returns false, *out unchanged) only without memory.
  bool CompressTo(std::string_view in, std::string* out);
  std::string Compress(std::string_view in) {
    std::string out;
    CompressTo(in, &out);
    return out;
  }
  // Appends what the frame `in` holds to *out. Corruption (and *out unchanged) for anything
  // Compress of a compressor with the same dictionary did not write: not one whole zstd frame
  // with its content size, damaged, cut, or holding more than max_bytes.
  Status DecompressTo(std::string_view in, size_t max_bytes, std::string* out);
  // How many bytes the frame `in` says it holds; nullopt if `in` does not start with a frame
  // header that says so.
  static std::optional<size_t> ContentSize(std::string_view in);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace storage
