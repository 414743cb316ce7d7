// HeadMirror: a copy of every record head (r: value) outside LevelDB, read with one pread.
//
// A cold read through LevelDB looks in a table per level (its index block and bloom filter),
// then reads and checks a whole 4 KiB block to find one ~350-byte head. The mirror keeps each
// head's bytes one after another in a file beside the database, and an index in memory from
// the domain to where they are, so a cold read is one pread of the head's own bytes
// (bench/RESULTS.md, "Head mirror").
//
// The mirror is derived: LevelDB stays the truth. It is rebuilt from the database at every open
// (in steps on the storage workers, while reads still go to LevelDB), every write of a head
// reaches it after LevelDB has it (RecordStore::Commit), and anything it cannot answer (a
// domain not in it, a read that would wait for the disk, bytes that fail their checksum) is
// read from LevelDB as before. So nothing in it has to survive a crash.
//
// Thread-safe: workers write, the loop reads. One mutex guards the index; the file's bytes are
// written once and never changed, so reads and writes of the file itself run outside it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace storage {

// ---- The record format (pure) ----
// A mirrored head on disk: [checksum u64][value length u32][domain length u8][domain][value],
// zero-padded to a multiple of kMirrorAlign. The checksum (XXH3) covers everything after it up
// to the value's end, so a damaged or misplaced record is never taken for the domain's head.
inline constexpr size_t kMirrorAlign = 16;
inline constexpr size_t kMirrorHeaderBytes = 13;
// Longer records are not mirrored (the index keeps lengths in 12 bits of 16-byte units); their
// domains are read from LevelDB.
inline constexpr size_t kMirrorMaxRecordBytes = 4095 * kMirrorAlign;

// Appends domain's record to *out (padded). False if domain or value are too long to mirror.
bool EncodeMirrorRecord(std::string_view domain, std::string_view value, std::string* out);
// The value of the record in `in` if it is whole, passes its checksum and is domain's.
std::optional<std::string_view> DecodeMirrorRecord(std::string_view in, std::string_view domain);

// ---- The index (pure) ----
// Open addressing over a fixed number of 8-byte slots: a 20-bit fingerprint of the domain's
// hash, the record's length and its offset in the file, both in 16-byte units. A fingerprint
// can match another domain's slot; the record read then names another domain and the search
// goes on. Slots are removed as tombstones, so a domain's probe sequence never breaks, and
// Put and Erase remove every slot of the fingerprint on the domain's sequence: a domain never
// has two slots, at the price of rarely dropping another domain's (which is then read from
// LevelDB). Not thread-safe.
class MirrorIndex {
 public:
  struct Location {
    uint64_t offset = 0;  // bytes
    uint32_t length = 0;  // bytes, a multiple of kMirrorAlign
  };
  explicit MirrorIndex(size_t slots);
  // False if the index is too full (then the domain has no slot) or the location cannot be held.
  // *freed grows by the lengths of the slots it replaced.
  bool Put(uint64_t hash, Location where, uint64_t* freed);
  // The lengths of the slots it removed.
  uint64_t Erase(uint64_t hash);
  // Up to `max` candidates for hash, in probe order (usually one); returns how many.
  size_t Find(uint64_t hash, Location* out, size_t max) const;
  size_t entries() const { return entries_; }
  size_t used() const { return entries_ + tombstones_; }
  size_t slots() const { return slots_.size(); }
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  size_t Home(uint64_t hash) const;
  // Tombstones every slot of hash's fingerprint on its sequence; returns the first free slot
  // seen (a tombstone or the empty slot that ends the sequence), or slots() if none.
  size_t Clear(uint64_t hash, uint64_t* freed);

  std::vector<uint64_t> slots_;
  size_t entries_ = 0;
  size_t tombstones_ = 0;
};

// ---- The mirror (file and index) ----
class HeadMirror {
 public:
  explicit HeadMirror(std::string path);
  // Removes the file: a closed store has no use for it (the next Open builds a new one).
  ~HeadMirror();
  HeadMirror(const HeadMirror&) = delete;
  HeadMirror& operator=(const HeadMirror&) = delete;

  // Starts a new generation with room for about `expected` heads (the file truncated): from now
  // on writes go to it, and a build fills it with Fill. The earlier generation is dropped (reads
  // in flight keep its file open until they finish). *generation names it for Fill and Finish.
  Status Begin(size_t expected, uint64_t* generation);
  // A build's heads, read from the database (domain, value). Skips every domain written since
  // Begin (Apply has the newer value, or its deletion). False if `generation` is no longer the
  // current one or is finished (the build should stop); an error of the file drops the
  // generation.
  bool Fill(uint64_t generation, const std::vector<std::pair<std::string, std::string>>& heads);
  // The build is complete: every head of the database is in the mirror.
  void Finish(uint64_t generation);
  // No generation: every read goes to LevelDB.
  void Drop();

  // After LevelDB committed a write of domain's head: `value` is the new head, nullptr a
  // deletion. An error (a full disk) only takes the domain out of the mirror. `hash` is always
  // KeyHash(domain) (as Fill computes it), here and in TryRead. Writes of one domain come one
  // at a time (the store's worker that owns it).
  void Apply(std::string_view domain, uint64_t hash, const std::string_view* value);

  enum class Read {
    kFound,        // *value holds the head
    kNotMirrored,  // ask LevelDB: not in the mirror (or no generation)
    kUnavailable,  // ask LevelDB: the read would wait for the disk, or failed
  };
  // Never waits for the disk (RWF_NOWAIT). Damaged bytes count in stats and read as kUnavailable.
  Read TryRead(std::string_view domain, uint64_t hash, std::string* value);

  // True once Apply found the index or the file too full of replaced heads: the store should
  // Begin a new generation.
  bool wants_rebuild() const { return wants_rebuild_.load(std::memory_order_relaxed); }
  // True for one caller only while a rebuild is wanted: the one that should Begin it.
  bool ClaimRebuild() { return wants_rebuild_.exchange(false, std::memory_order_relaxed); }

  enum class State { kOff, kBuilding, kReady };
  static std::string_view StateName(State state);
  struct Stats {
    State state = State::kOff;
    uint64_t heads = 0;        // in the index
    uint64_t file_bytes = 0;   // written to the current file
    uint64_t index_bytes = 0;  // memory of the index
    uint64_t reads = 0;        // answered from the mirror
    uint64_t damaged = 0;      // records that failed their checksum
    uint64_t builds = 0;       // generations begun
  };
  Stats stats() const;

 private:
  struct File;
  struct Generation;
  // Appends records (already encoded, contiguous) to g's file; *offset gets where they start.
  // Called without mu_.
  static Status Append(const std::shared_ptr<File>& file, std::atomic<uint64_t>* end,
                       const std::string& bytes, uint64_t* offset);

  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<Generation> current_;  // guarded by mu_
  uint64_t next_generation_ = 1;         // guarded by mu_
  std::atomic<bool> wants_rebuild_{false};
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> damaged_{0};
  std::atomic<uint64_t> builds_{0};
};

}  // namespace storage
