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
//    ("the record store is closing"), joins the workers and closes the database. PostFn must
//    stay callable until the destructor returns.
//
// Durability: a write is acknowledged once LevelDB has it in its log (fsync'd only if
// sync_writes). A process crash loses at most unacknowledged writes and the directory reopens
// without repair.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/record.h"
#include "storage/status.h"

namespace leveldb {
class DB;
class Cache;
class FilterPolicy;
class WriteBatch;
}  // namespace leveldb

namespace storage {

class WorkerPool;
class MetaTransaction;

// What RecordStore::Update writes, decided from the record stored when it runs.
struct RecordUpdate {
  std::optional<Record> put;     // the record to store, replacing the current one; none: no write
  bool keep_chain = false;       // leave the stored chain as it is (put->chain is ignored)
  bool archive_current = false;  // the current record becomes the newest history version first
};

// Hands a completion to the caller's thread (the server's loop).
using PostFn = std::function<void(std::function<void()>)>;

struct StoreOptions {
  std::string dir;                       // created if missing
  size_t block_cache_bytes = 32u << 20;  // LevelDB block cache (LRU)
  size_t write_buffer_bytes = 4u << 20;  // LevelDB memtable size
  int threads = 2;           // worker threads (at least 1; record work uses at most kCountShards)
  bool sync_writes = false;  // fsync the log on every record write
  // If set, runs on a worker thread each time that worker has run all its queued operations and
  // is about to wait: a PostFn that queues callbacks without waking the caller can deliver them
  // here, once per batch instead of once per operation.
  std::function<void()> on_worker_idle;
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
  std::string leveldb_stats;  // the raw "leveldb.stats" text
};

class RecordStore {
 public:
  // Number of persisted record-count shards (m:count:<n>). Part of the layout: do not change.
  static constexpr int kCountShards = 16;

  // Opens (creating if needed) the store in options.dir. On success *out holds the store. Errors:
  // IOError if another process holds the directory, or the directory cannot be used; Corruption
  // if it holds a LevelDB database that is not a record store (no m:layout key) or one with a
  // layout this build does not know, or if LevelDB finds it damaged.
  static Status Open(const StoreOptions& options, PostFn post, std::unique_ptr<RecordStore>* out);

  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // The record head (chain left empty). NotFound if there is no record for domain.
  void Get(const std::string& domain, std::function<void(Status, Record)> done);
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

  // Decides an update from the current record's head (nullptr: none, or unreadable). Runs on a
  // storage worker, so it must use only what it captured, never the caller's live state.
  using UpdateDecision = std::function<RecordUpdate(const Record* current)>;
  // Reads domain's record, asks `decide`, and applies its answer in one batch, with no other
  // operation on the domain in between: a decision never acts on a record that changed after it
  // was read. Archiving keeps at most `history_max` versions (the oldest go; 0 keeps none).
  // done gets the update as applied (put without its chain).
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
  // read, decide and write without races (meta_transaction.h).
  void RunMetaTransaction(const std::string& route_key, std::function<Status(MetaTransaction&)> fn,
                          bool sync, std::function<void(Status)> done);

 private:
  RecordStore(const StoreOptions& options, PostFn post);

  Status OpenDb();
  int WorkerFor(uint64_t hash) const;
  static int CountShardFor(uint64_t hash);

  // Worker-side bodies. Each runs on the worker that owns the key.
  Status DoGet(const std::string& domain, Record* rec);
  Status DoGetChain(const std::string& domain, std::vector<RawReply>* chain);
  Status DoPut(const std::string& domain, const Record& rec);
  Status DoDelete(const std::string& domain, bool* existed);
  Status DoScan(uint64_t cursor, const std::string& match, size_t count, uint64_t* next,
                std::vector<std::string>* domains);
  Status DoFlushWorker(int worker);
  Status DoUpdate(const std::string& domain, const UpdateDecision& decide, size_t history_max,
                  RecordUpdate* out);
  Status DoGetHistory(const std::string& domain, size_t count, std::vector<Record>* out);
  // Adds deletes of every history version of domain to *batch (a leveldb::WriteBatch).
  Status DeleteHistoryInto(const std::string& domain, leveldb::WriteBatch* batch);
  // Put (value set) or Delete (nullopt) of a meta key, on the key's worker.
  void WriteMeta(const std::string& key, std::optional<std::string> value, bool sync,
                 std::function<void(Status)> done);
  Status DoScanMeta(const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>* out);
  Status Exists(const std::string& key, bool* exists);

  const StoreOptions options_;
  const PostFn post_;
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<WorkerPool> workers_;

  // counts_[n] is the value of m:count:<n>. Written only by the worker owning shard n
  // (n % threads) after Open; read at Open only.
  uint64_t counts_[kCountShards] = {};
  std::atomic<uint64_t> record_count_{0};
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> next_scan_worker_{0};
};

}  // namespace storage
