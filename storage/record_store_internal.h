// What record_store.cc (the operations), record_store_open.cc (opening, recovery, repair),
// record_history.cc and meta_transaction.cc share. Not part of the store's interface.
#pragma once

#include <leveldb/options.h>
#include <leveldb/slice.h>
#include <leveldb/status.h>

#include <string>
#include <string_view>

#include "storage/scan_cursor.h"
#include "storage/status.h"

namespace storage::internal {

// Bounded so that the index blocks of open tables (held in memory while a table is open) stay
// small however large the database grows; larger tables keep the file count down in turn.
constexpr int kMaxOpenFiles = 256;
constexpr size_t kMaxTableFileBytes = 32u << 20;
constexpr int kBloomBitsPerKey = 10;
constexpr size_t kBlockBytes = 16u << 10;
constexpr size_t kPackedBlockBytes = 4u << 10;
// The head mirror (head_mirror.h): its file in the store's directory, and the heads one build
// step reads from the database and appends (a step holds its worker for about a millisecond).
constexpr std::string_view kMirrorFileName = "heads.mirror";
constexpr size_t kMirrorBuildStep = 512;
// zstd's level for packed heads: written once, read many times, so the smaller value wins.
constexpr int kHeadPackLevel = 3;

// Sorts after every key the store writes (they start with a lower-case letter): compacting the
// empty range [kPastAllKeys, kPastAllKeys] makes LevelDB write its memtable to a table and start
// a new write-ahead log, and does nothing else.
inline constexpr std::string_view kPastAllKeys = "\xff\xff";

inline Status FromLevelDb(const leveldb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

inline bool StartsWith(const leveldb::Slice& s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::string_view(s.data(), prefix.size()) == prefix;
}

// What queued operations get when the store is destroyed before they run.
inline Status Closing() { return Status::IOError("the record store is closing"); }

// InvalidArgument unless domain is a normalised name (only a-z, 0-9, '-' and '.').
inline Status CheckDomain(const std::string& domain) {
  if (domain.empty() || !IsCursorText(domain))
    return Status::InvalidArgument("'" + domain +
                                   "' is not a normalised domain (only a-z, 0-9, '-' and '.')");
  return Status::OK();
}

// Every read verifies LevelDB's block checksums: damage is found where it is, not served.
inline leveldb::ReadOptions VerifiedReads(bool fill_cache = true) {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = fill_cache;
  return ro;
}

}  // namespace storage::internal
