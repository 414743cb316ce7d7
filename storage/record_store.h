// RecordStore: the durable home of WHOIS records, one LevelDB database in a directory, run on a
// dedicated pool of worker threads. Key and value layout: storage/README.md.
//
// Threading contract:
//  - Every method may be called from one caller thread (the server's loop); the store does its
//    LevelDB work on its own workers, never on the caller's thread.
//  - Every callback is handed to the PostFn given to Open, which must run it on the caller's
//    thread. PostFn itself is called from the worker threads, so it must be thread-safe. A callback
//    is never invoked synchronously inside the call that took it, never directly on a worker, and
//    always exactly once.
//  - All operations on one domain (and all Meta operations on one key) run on the same worker, in
//    the order they were issued: Put then Delete then Get issued back-to-back gives NotFound.
//  - Destroying the store lets running operations finish, completes queued ones with an IOError
//    ("the record store is closing"), joins the workers, writes LevelDB's memtable to a table (so
//    the write-ahead log is empty at rest) and closes the database. PostFn must stay callable
//    until the destructor returns.
//
// Durability: a write is acknowledged once LevelDB has it in its log (fsync'd only if
// sync_writes). A process crash loses at most unacknowledged writes and the directory reopens
// without repair.
//
// Faults (storage/README.md, "Faults"):
//  - Open never lets LevelDB modify a directory that is not a store: a directory that holds
//    anything but has no CURRENT file is refused untouched; Repair() rebuilds one.
//  - Every read verifies LevelDB's checksums. A record that is damaged (checksum mismatch, or a
//    value that does not decode) is reported once through StoreOptions::log and treated as
//    absent: Get gives NotFound, Put replaces it, Delete removes it, Scan passes over it. The
//    record count is then recounted, so it agrees with what Scan finds.
//  - A failed write puts the store in the read-only state: reads go on, writes fail at once with
//    an IOError that says why. The store leaves it by itself once the directory is writable and
//    has room again (checked when a write arrives, at most once a second), after making sure
//    every acknowledged write is in a table. Damage found by LevelDB's compaction keeps the store
//    read-only until it is repaired.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/head_mirror.h"
#include "storage/record.h"
#include "storage/record_codec.h"
#include "storage/status.h"
#include "storage/value_packer.h"

namespace leveldb {
class DB;
class Cache;
class FilterPolicy;
class Snapshot;
class Status;
class WriteBatch;
struct Options;
struct WriteOptions;
}  // namespace leveldb

namespace storage {

class InfoLog;
class MetaTransaction;
class WorkerPool;

// What RecordStore::Update writes, decided from the record stored when it runs.
struct RecordUpdate {
  std::optional<Record> put;     // the record to store, replacing the current one; none: no write
  bool keep_chain = false;       // leave the stored chain as it is (put->chain is ignored)
  bool archive_current = false;  // the current record becomes the newest history version first
};

// Hands a completion to the caller's thread (the server's loop).
using PostFn = std::function<void(std::function<void()>)>;

enum class Severity { kInfo, kWarning, kError };
// Receives what an operator must know; called on any of the store's threads, so thread-safe.
using StoreLogFn = std::function<void(Severity, const std::string& message)>;

struct StoreOptions {
  std::string dir;                       // a new store is created only if absent or empty
  size_t block_cache_bytes = 32u << 20;  // LevelDB block cache (LRU)
  size_t write_buffer_bytes = 4u << 20;  // LevelDB memtable size
  int threads = 2;           // worker threads (at least 1; record work uses at most kCountShards)
  bool sync_writes = false;  // fsync the log on every record write
  // If set, runs on a worker thread each time that worker has run all its queued operations and
  // is about to wait: a PostFn that queues callbacks without waking the caller can deliver them
  // here, once per batch instead of once per operation.
  std::function<void()> on_worker_idle;
  // Where the store reports state changes, damaged records and what recovery dropped. Unset:
  // nothing is reported.
  StoreLogFn log;
  // Monotonic milliseconds: paces attempts to leave the read-only state and recounts. Unset: the
  // steady clock.
  std::function<int64_t()> now_ms;
  // Dictionaries record heads may be packed with (record_codec.h, kPackedHeadVersion), and the
  // one new heads are packed with. 0 (or an id not among them): new heads are not packed, as
  // before packing; heads already packed are read as long as their dictionary is listed.
  std::vector<NamedDictionary> head_dictionaries;
  uint8_t head_dictionary = 0;
  // Keep a copy of every record head in <dir>/heads.mirror with an index in memory (about 12
  // bytes per record), so that TryGetNow reads a head not in any cache with one pread
  // (head_mirror.h). Rebuilt from the database at every Open, in steps on the workers.
  bool head_mirror = false;
  // The mirror never takes the database's room: a build stops (the mirror is dropped, reads go
  // to LevelDB) when the file system has less than this free.
  uint64_t mirror_keep_free_bytes = 1ull << 30;
};

// kWritable: normal. kReadOnly: reads work, writes fail at once (see the header comment).
// kUnavailable: the database had to be closed to recover and could not be opened again; every
// operation fails until a later attempt (made when an operation arrives) opens it.
enum class StoreState { kWritable, kReadOnly, kUnavailable };
// "writable", "read_only", "unavailable".
const char* StoreStateName(StoreState state);

struct StoreHealth {
  StoreState state = StoreState::kWritable;
  std::string reason;            // why it is not writable; empty when it is
  int64_t since_ms = 0;          // now_ms() when the state began
  uint64_t damaged_records = 0;  // damaged records reported since Open (each once)
  uint64_t recounts = 0;         // times the record count was recounted since Open
};

// What Repair found and saved.
struct RepairReport {
  int table_files = 0;  // found before the repair
  int log_files = 0;
  uint64_t bytes = 0;
  uint64_t dropped_bytes = 0;       // damaged write-ahead log bytes LevelDB skipped
  std::vector<std::string> damage;  // LevelDB's first few messages about them
  int set_aside = 0;                // files LevelDB replaced, kept in <dir>/lost
  bool layout_restored = false;     // m:layout was lost and written again
  uint64_t counted = 0;             // records the (repaired) counters claimed
  uint64_t records = 0;             // records readable after the repair, now the count
  std::string Summary(const std::string& dir) const;
};

struct StoreStats {
  uint64_t disk_bytes = 0;  // sum of the sizes of the files in the directory
  uint64_t reads = 0;       // LevelDB reads issued by record and meta operations
  uint64_t writes = 0;      // write batches committed
  // From LevelDB's "leveldb.stats" and "leveldb.num-files-at-level0" properties.
  uint64_t table_files = 0;
  uint64_t level0_files = 0;  // LevelDB slows writes at 8 and stops them at 12
  uint64_t compaction_ms = 0;
  uint64_t compaction_read_bytes = 0;
  uint64_t compaction_write_bytes = 0;
  uint64_t memory_bytes = 0;  // "leveldb.approximate-memory-usage"
  // Values written before packing that have been rewritten packed since Open, and whether
  // workers are still at it (record_repack.cc).
  uint64_t repacked_values = 0;
  bool repacking = false;
  HeadMirror::Stats mirror;   // state kOff when the store keeps no mirror
  std::string leveldb_stats;  // the raw "leveldb.stats" text
};

class RecordStore {
 public:
  // Number of persisted record-count shards (m:count:<n>). Part of the layout: do not change.
  static constexpr int kCountShards = 16;

  // Opens the store in options.dir, creating a new one only if the directory is absent or empty.
  // On success *out holds the store. Errors: IOError if another process holds the directory, or
  // the directory cannot be used; Corruption if it holds anything but a LevelDB database (no
  // CURRENT file: nothing is touched), a LevelDB database that is not a record store (no m:layout
  // key) or one with a layout this build does not know, or if LevelDB finds it damaged beyond
  // what Open repairs by itself. Open repairs by itself: a damaged write-ahead log (the records
  // that fail their checksums are dropped, the log is kept in <dir>/lost, the count recounted
  // and the loss reported through options.log); an unreadable count. On a full disk it opens in
  // the read-only state when LevelDB can open without writing.
  static Status Open(const StoreOptions& options, PostFn post, std::unique_ptr<RecordStore>* out);

  // Rebuilds the database in options.dir with LevelDB's RepairDB (which keeps the files it
  // replaces in <dir>/lost), then opens it, restores m:layout if it was lost and the records are
  // of this layout, and recounts the records. Refuses (InvalidArgument) a directory without
  // LevelDB files, and (IOError) one in use. Closes the store before it returns.
  static Status Repair(const StoreOptions& options, RepairReport* report);

  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // The record head (chain left empty). NotFound if there is no record for domain.
  void Get(const std::string& domain, std::function<void(Status, Record)> done);

  // Get, answered at once on the calling thread (the one completions are posted to) when that
  // needs no storage thread and no disk: only blocks already in LevelDB's block cache or the OS
  // page cache are read (NoDiskWaits), and no table file is opened. kFound fills *rec (chain
  // left empty); kAbsent: no record. kDeferred: use Get, which sees everything issued before
  // it: a read would wait for the disk, a Put, Delete, Update or FlushAll issued earlier has not
  // posted its completion yet, the store is not open, or LevelDB reported an error (the worker
  // reports damage; this reports nothing). Saves a cold hit the round trip to a worker.
  // `packed`, if given, gets the head's packed JSON (record_codec.h) when it was packed.
  enum class ReadNow { kFound, kAbsent, kDeferred };
  ReadNow TryGetNow(const std::string& domain, Record* rec, PackedJson* packed = nullptr);
  // The raw chain. NotFound if there is no record; OK and empty if the record has no chain.
  void GetChain(const std::string& domain, std::function<void(Status, std::vector<RawReply>)> done);
  // Writes head and chain (replacing any earlier record) and the count, in one batch.
  void Put(const std::string& domain, Record rec, std::function<void(Status)> done);
  // existed: whether there was a record to delete.
  void Delete(const std::string& domain, std::function<void(Status, bool existed)> done);

  // One SCAN step: up to about `count` records examined from `cursor` (0 = start), returning the
  // domains among them that match the glob `match` ("" or "*" = all) and the cursor to continue
  // from (0 = done). COUNT is a hint: a step continues past `count` until the next key's first
  // kCursorChars characters differ from the last one examined. A full scan returns every record
  // present throughout it exactly once. InvalidArgument if the cursor is not one we issue.
  void Scan(
      uint64_t cursor, std::string match, size_t count,
      std::function<void(Status, uint64_t next_cursor, std::vector<std::string> domains)> done);

  // Deletes every record (and its history), in order with the operations issued before and
  // after it.
  void FlushAll(std::function<void(Status)> done);

  // ---- Read-modify-write and history (record_history.cc) ----

  // Decides an update from the current record's head (nullptr: none, or damaged). Runs on a
  // storage worker, so it must use only what it captured, never the caller's live state.
  using UpdateDecision = std::function<RecordUpdate(const Record* current)>;
  // Reads domain's record, asks `decide`, and applies its answer in one batch, with no other
  // operation on the domain in between: a decision never acts on a record that changed after it
  // was read. Archiving keeps at most `history_max` versions (the oldest go; 0 keeps none).
  // done gets the update as applied (put without its chain). Fails at once (before deciding)
  // while the store is not writable.
  void Update(const std::string& domain, UpdateDecision decide, size_t history_max,
              std::function<void(Status, RecordUpdate)> done);
  // The earlier versions of domain's record, newest first, at most `count` (heads only: a
  // version's chain is not kept). OK and empty if there are none. Delete removes them with the
  // record.
  void GetHistory(const std::string& domain, size_t count,
                  std::function<void(Status, std::vector<Record>)> done);

  // Exact number of records whose writes have been acknowledged or are being acknowledged.
  // Thread-safe.
  uint64_t record_count() const { return record_count_.load(std::memory_order_relaxed); }
  // Thread-safe. Lists the directory and reads two LevelDB properties.
  StoreStats stats() const;
  // Repacking a store from before packing (record_repack.cc): whether workers are still at it,
  // and the values rewritten since Open. Cheap (for INFO); stats() holds the same.
  bool repacking() const { return repack_passes_.load(std::memory_order_acquire) > 0; }
  uint64_t repacked_values() const { return repacked_.load(std::memory_order_relaxed); }
  // The head mirror's state and figures (state kOff without one). Cheap (for INFO).
  HeadMirror::Stats mirror_stats() const {
    return mirror_ ? mirror_->stats() : HeadMirror::Stats{};
  }
  // Thread-safe.
  StoreHealth health() const;
  bool writable() const { return state_.load(std::memory_order_acquire) == StoreState::kWritable; }

  // A small durable key-value API for other modules: TLD directory entries under "t:", daily
  // quota reservations under "q:". A meta key is a lower-case letter other than the store's own
  // r, c, h and m, then ':', then anything (see IsMetaKey); others give InvalidArgument, so meta
  // keys never collide with records or store metadata. Same threads, same Post contract;
  // operations on one key run in issue order.
  static bool IsMetaKey(std::string_view key);
  // Batched hand-off, for a caller that runs an event loop: from now on an operation issued on
  // the calling thread does not wake a sleeping worker; the caller must call WakeWorkers()
  // before it next blocks (the server does it from libuv prepare and check handles, so at least
  // once per loop iteration). Call before issuing any operation.
  void DeferWakeupsToThisThread();
  void WakeWorkers();

  // NotFound if key is absent.
  void GetMeta(const std::string& key, std::function<void(Status, std::string value)> done);
  void PutMeta(const std::string& key, std::string value, bool sync,
               std::function<void(Status)> done);
  void DeleteMeta(const std::string& key, bool sync, std::function<void(Status)> done);
  // Every (key, value) whose key starts with prefix, in key order. prefix must itself satisfy
  // IsMetaKey (e.g. "t:" or "q:2024-05-01:"). Meant for small sets: it returns them all at once.
  void ScanMeta(const std::string& prefix,
                std::function<void(Status, std::vector<std::pair<std::string, std::string>>)> done);
  // Runs fn on the worker that owns `route_key` and commits what it wrote in one batch (synced
  // if `sync`); if fn returns an error, nothing is written and done gets that error. fn runs on
  // a storage worker (same rule as UpdateDecision). Transactions given the same route_key run in
  // issue order, one at a time, so a module that routes all its transactions by one key may
  // read, decide and write without races (meta_transaction.h). A transaction that writes fails
  // while the store is not writable.
  void RunMetaTransaction(const std::string& route_key, std::function<Status(MetaTransaction&)> fn,
                          bool sync, std::function<void(Status)> done);

 private:
  RecordStore(const StoreOptions& options, PostFn post);

  // ---- Opening, recovery and repair (record_store_open.cc) ----
  // The whole of Open after the arguments are checked. With `repair` (after RepairDB) it also
  // restores a lost m:layout, always recounts, and fills in the report.
  Status OpenDb(RepairReport* repair);
  // LevelDB's options for this store (creating the cache and filter policy on first use).
  leveldb::Options LevelDbOptions();
  // One leveldb::DB::Open of options_.dir into db_.
  Status OpenLevelDb(bool create, bool paranoid, bool reuse_logs);
  // OpenLevelDb with paranoid checks, falling back to salvaging a damaged write-ahead log.
  Status OpenOrSalvage(bool create, bool* salvaged);
  Status CheckLayout(bool repair, bool* restored);
  // The layout this store writes: 2 if it packs its values, else 1.
  std::string_view LayoutMagic() const;
  // Layout 1 (or a lost layout key) to 2, with a repacking pass from the start. If that cannot
  // be written (a full disk), the store opens read-only and owes the upgrade.
  Status UpgradeLayout();
  // The synced write that tells Recover writes work again: the layout key (and an owed
  // upgrade's repacking position).
  leveldb::Status WriteLayoutProbe();

  // ---- Repacking (record_repack.cc) ----
  // If a repacking pass is owed (m:repack:<w> keys, written by UpgradeLayout or a pass that
  // stopped): one pass per worker, from the lowest position kept, each over every value key,
  // rewriting packed the unpacked values of the domains it owns (so no write of a newer value
  // can be overtaken).
  void StartRepack();
  void RepackStep(int self);
  Status DoRepackStep(int self, bool* done);
  // Reads the m:count values; *unreadable if one is damaged (it counts as 0 until a recount).
  Status LoadCounts(bool* unreadable);
  // Counts the readable records of every shard as of `snapshot` (nullptr: now); `stored` gets
  // the m:count values of the same snapshot. Passes over damaged data, setting *damaged.
  Status CountRecords(const leveldb::Snapshot* snapshot, uint64_t counts[], uint64_t stored[],
                      bool* damaged);
  // At Open (or with every worker held): recounts every shard and writes the counts (if
  // writable). *claimed: the count before; *found: after.
  Status RecountAtOpen(uint64_t* claimed, uint64_t* found);
  // A recount's correction of one shard's counter: a difference to add, or (when the stored
  // counter was unreadable) the value itself.
  struct CountFix {
    bool set = false;
    bool absolute = false;
    int64_t value = 0;
  };
  using CountFixes = std::array<CountFix, kCountShards>;
  static constexpr uint64_t kUnreadableCount = UINT64_MAX;
  // On `worker`: applies the fixes of the shards it owns, in memory and (if writable) on disk.
  void ApplyRecount(int worker, const CountFixes& fixes);
  // Makes the read-only (or unavailable) store writable again if it can; see the header comment.
  // Called on worker `self` with no other work of this store running on it.
  void TryRecover(int self);
  // Runs fn on worker `self` while every other worker waits between two tasks.
  void RunExclusive(int self, const std::function<void()>& fn);
  // Under RunExclusive. OK when the store is writable again.
  Status Recover();
  void EnterState(StoreState state, const std::string& reason);

  // ---- The head mirror (record_store.cc) ----
  // Every write of the store's records: LevelDB's Write, then the heads it wrote or deleted to
  // the mirror (after LevelDB has them; TryGetNow reads neither while the write is pending).
  leveldb::Status Commit(const leveldb::WriteOptions& options, leveldb::WriteBatch* batch);
  // Begins a new generation of the mirror and its build from the database, in steps of
  // kMirrorBuildStep heads that go round the workers.
  void StartMirrorBuild();
  void MirrorBuildStep(int self, uint64_t generation, std::string after_key);

  // ---- Operations (record_store.cc) ----
  int WorkerFor(uint64_t hash) const;
  static int CountShardFor(uint64_t hash);
  int64_t NowMs() const;
  void Log(Severity severity, const std::string& message) const;
  // OK if writes may go ahead; called on worker `self` before it touches the database.
  Status CheckWritable(int self);
  // OK if the database is open (it may not be while recovering failed).
  Status CheckOpen(int self);
  // After a failed LevelDB write: the store becomes read-only. Returns the error for the caller.
  Status WriteFailed(const leveldb::Status& s, const std::string& context);
  // A damaged record: reported once (per domain, while it stays damaged), and a recount asked for
  // if LevelDB found the damage. Returns NotFound, which a writer replacing the record ignores.
  Status Damaged(const std::string& domain, const std::string& detail, bool leveldb_damage);
  // Damage found while iterating (Scan, FlushAll, a meta scan): reported, and a recount asked for.
  void DamageWhileIterating(const std::string& what, const leveldb::Status& s);
  // Queues a recount of every shard unless one is queued or ran less than a minute ago (then it
  // is owed and starts with the next write or damage found after the minute).
  void RequestRecount();
  void StartRecount();
  // Looks up key: present, absent, or damaged (LevelDB reports corruption).
  enum class Presence { kAbsent, kPresent, kDamaged };
  Status Probe(const std::string& key, Presence* presence);

  // Worker-side bodies. Each runs on the worker that owns the key.
  Status DoGet(int self, const std::string& domain, Record* rec);
  Status DoGetChain(int self, const std::string& domain, std::vector<RawReply>* chain);
  Status DoPut(int self, const std::string& domain, const Record& rec);
  // Adds `rec`'s head (and its chain unless `keep_chain`) and, when the domain was not
  // `counted` yet, its shard's new count to `batch` (which may hold other writes of the same
  // domain), writes it, and only then counts the record: the one write of every record.
  Status WriteRecord(leveldb::WriteBatch* batch, const std::string& domain, const Record& rec,
                     bool keep_chain, bool counted);
  Status DoDelete(int self, const std::string& domain, bool* existed);
  Status DoScan(int self, uint64_t cursor, const std::string& match, size_t count, uint64_t* next,
                std::vector<std::string>* domains);
  Status DoFlushWorker(int worker);
  Status DoUpdate(int self, const std::string& domain, const UpdateDecision& decide,
                  size_t history_max, RecordUpdate* out);
  Status DoGetHistory(int self, const std::string& domain, size_t count, std::vector<Record>* out);
  // Adds deletes of every history version of domain to *batch.
  Status DeleteHistoryInto(const std::string& domain, leveldb::WriteBatch* batch);
  Status DoMetaTransaction(int self, const std::function<Status(MetaTransaction&)>& fn, bool sync);
  // Put (value set) or Delete (nullopt) of a meta key, on the key's worker.
  void WriteMeta(const std::string& key, std::optional<std::string> value, bool sync,
                 std::function<void(Status)> done);
  Status DoScanMeta(int self, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>* out);

  const StoreOptions options_;
  const PostFn post_;
  ValuePacker values_;
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<InfoLog> info_log_;
  // Replaced only while every worker is held by RunExclusive (and before the workers start), so
  // workers use it without a lock. db_mu_ guards the replacement against stats() on the caller's
  // thread.
  std::unique_ptr<leveldb::DB> db_;
  mutable std::mutex db_mu_;
  // Set when options_.head_mirror; dropped (and rebuilt) whenever db_ is replaced.
  std::unique_ptr<HeadMirror> mirror_;
  std::unique_ptr<WorkerPool> workers_;

  // counts_[n] is the value of m:count:<n>. Written only by the worker owning shard n
  // (n % threads) after Open; read at Open only.
  uint64_t counts_[kCountShards] = {};
  std::atomic<uint64_t> record_count_{0};
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> next_scan_worker_{0};
  // Repacking: each worker's position (used only by that worker), how many passes still run,
  // and the values rewritten.
  // Set at open when the upgrade to layout 2 could not be written; used by Recover, which runs
  // with every other worker held.
  bool upgrade_owed_ = false;
  std::vector<std::string> repack_position_;
  std::atomic<int> repack_passes_{0};
  std::atomic<uint64_t> repacked_{0};
  // Record writes (Put, Delete, Update) issued per count shard, and FlushAll calls, whose
  // completion has not been delivered yet: TryGetNow defers to the worker while one is pending,
  // so a read never overtakes a write issued before it. Raised when the write is issued, lowered
  // when its completion runs. Shared with the completions, which may outlive the store.
  struct PendingWrites {
    std::atomic<uint32_t> shard[kCountShards] = {};
    std::atomic<uint32_t> flushes{0};
  };
  // Raises the count of the key's shard (or of FlushAll calls); the token lowers it when its
  // last copy goes, with the completion that carries it (run, or dropped at shutdown).
  std::shared_ptr<void> PendingWrite(uint64_t key_hash);
  std::shared_ptr<void> PendingFlush();
  const std::shared_ptr<PendingWrites> pending_ = std::make_shared<PendingWrites>();

  // Domains reported damaged, per count shard: each set is used only by the shard's worker.
  std::unordered_set<std::string> reported_[kCountShards];
  std::atomic<uint64_t> damaged_records_{0};
  std::atomic<bool> recount_queued_{false};
  std::atomic<bool> recount_owed_{false};
  std::atomic<int64_t> last_recount_ms_{INT64_MIN / 2};
  std::atomic<uint64_t> recounts_{0};

  // The state. state_ is read without the lock; it changes only under state_mu_.
  std::atomic<StoreState> state_{StoreState::kWritable};
  mutable std::mutex state_mu_;
  std::string state_reason_;    // guarded by state_mu_
  int64_t state_since_ms_ = 0;  // guarded by state_mu_
  // Damage found by compaction: LevelDB would find it again at once, so only a repair helps.
  std::atomic<bool> needs_repair_{false};
  // Held by the worker attempting recovery; `closing_` (set under it by the destructor) stops
  // further attempts, so none runs while the workers stop.
  std::mutex recovery_mu_;
  bool closing_ = false;  // guarded by recovery_mu_
  std::atomic<int64_t> next_recovery_ms_{0};
};

}  // namespace storage
