#include "storage/record_store.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>

#include "storage/glob.h"
#include "storage/key_hash.h"
#include "storage/key_layout.h"
#include "storage/pread_env.h"
#include "storage/record_codec.h"
#include "storage/scan_cursor.h"
#include "storage/store_internal.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

// Bounded so that the index blocks of open tables (held in memory while a table is open) stay
// small however large the database grows; larger tables keep the file count down in turn.
constexpr int kMaxOpenFiles = 256;
constexpr size_t kMaxTableFileBytes = 32u << 20;
constexpr int kBloomBitsPerKey = 10;
constexpr size_t kBlockBytes = 16u << 10;
// FlushAll deletes in batches of this many keys so that one batch never grows without bound.
constexpr size_t kFlushBatchKeys = 1000;

}  // namespace

// Shared with the store's other files (store_internal.h).
namespace internal {

Status FromLevelDb(const leveldb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

Status Closing() { return Status::IOError("the record store is closing"); }

bool StartsWith(const leveldb::Slice& s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::string_view(s.data(), prefix.size()) == prefix;
}

Status CheckDomain(const std::string& domain) {
  if (domain.empty() || !IsCursorText(domain))
    return Status::InvalidArgument("'" + domain +
                                   "' is not a normalised domain (only a-z, 0-9, '-' and '.')");
  return Status::OK();
}

}  // namespace internal

using internal::CheckDomain;
using internal::Closing;
using internal::FromLevelDb;
using internal::StartsWith;

namespace {

// Sums the "Compactions" table of the "leveldb.stats" property:
//   Level  Files Size(MB) Time(sec) Read(MB) Write(MB)
//   --------------------------------------------------
//     0        2        0         0        0         0
void ParseLevelDbStats(const std::string& text, StoreStats* out) {
  std::istringstream in(text);
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (!in_table) {
      in_table = line.starts_with("-----");
      continue;
    }
    std::istringstream row(line);
    double level, files, size_mb, secs, read_mb, write_mb;
    if (!(row >> level >> files >> size_mb >> secs >> read_mb >> write_mb)) continue;
    out->table_files += static_cast<uint64_t>(files);
    out->compaction_ms += static_cast<uint64_t>(secs * 1000);
    out->compaction_read_bytes += static_cast<uint64_t>(read_mb * 1048576);
    out->compaction_write_bytes += static_cast<uint64_t>(write_mb * 1048576);
  }
}

}  // namespace

RecordStore::RecordStore(const StoreOptions& options, PostFn post)
    : options_(options), post_(std::move(post)) {}

RecordStore::~RecordStore() {
  // Workers first: they use the DB. Queued operations are completed with Closing().
  if (workers_) workers_->Stop();
  workers_.reset();
  db_.reset();
}

Status RecordStore::Open(const StoreOptions& options, PostFn post,
                         std::unique_ptr<RecordStore>* out) {
  if (options.dir.empty())
    return Status::InvalidArgument("no directory given for the record store");
  if (!post) return Status::InvalidArgument("no post function given to the record store");
  std::unique_ptr<RecordStore> store(new RecordStore(options, std::move(post)));
  Status st = store->OpenDb();
  if (!st.ok()) return st;
  store->workers_ = std::make_unique<WorkerPool>(options.threads < 1 ? 1 : options.threads,
                                                 options.on_worker_idle);
  *out = std::move(store);
  return Status::OK();
}

void RecordStore::DeferWakeupsToThisThread() { workers_->DeferWakeupsToThisThread(); }

void RecordStore::WakeWorkers() { workers_->WakeDeferred(); }

Status RecordStore::OpenDb() {
  const std::string& dir = options_.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the directory " + dir + ": " + ec.message());

  block_cache_.reset(leveldb::NewLRUCache(options_.block_cache_bytes));
  filter_policy_.reset(leveldb::NewBloomFilterPolicy(kBloomBitsPerKey));
  leveldb::Options o;
  o.create_if_missing = true;
  o.block_cache = block_cache_.get();
  o.filter_policy = filter_policy_.get();
  o.write_buffer_size = options_.write_buffer_bytes;
  o.max_open_files = kMaxOpenFiles;
  o.max_file_size = kMaxTableFileBytes;
  // 16 KiB blocks instead of LevelDB's 4 KiB: a record with its raw chain is ~4 KiB, so small
  // blocks held about one record each, and compaction (which rewrites every byte many times as
  // the database grows) spent its time on per-block work; bench/miss_path.sh rounds 2-4 cost
  // 10-15% less CPU per lookup.
  o.block_size = kBlockBytes;
  o.env = PreadEnv();  // no mmap: the process's memory must not grow with the database
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(o, dir, &raw);
  if (!s.ok()) {
    std::string text = s.ToString();
    // LevelDB reports a held lock as "IO error: lock <dir>/LOCK: ..." (another process holds
    // the fcntl lock, or this process already has the directory open).
    if (s.IsIOError() && text.find("/LOCK") != std::string::npos)
      return Status::IOError("the database directory " + dir +
                             " is in use by another process (LOCK held)");
    return FromLevelDb(s, "LevelDB cannot open the database in " + dir);
  }
  db_.reset(raw);

  std::string layout;
  s = db_->Get(leveldb::ReadOptions(), leveldb::Slice(kLayoutKey.data(), kLayoutKey.size()),
               &layout);
  if (s.IsNotFound()) {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid())
      return Status::Corruption("the directory " + dir +
                                " holds a LevelDB database that is not a ds9 record store (it has "
                                "no m:layout key); refusing to use it");
    if (!it->status().ok()) return FromLevelDb(it->status(), "cannot read " + dir);
    leveldb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, leveldb::Slice(kLayoutKey.data(), kLayoutKey.size()),
                 leveldb::Slice(kLayoutMagic.data(), kLayoutMagic.size()));
    if (!s.ok()) return FromLevelDb(s, "cannot initialise the record store in " + dir);
  } else if (!s.ok()) {
    return FromLevelDb(s, "cannot read the layout of " + dir);
  } else if (layout != kLayoutMagic) {
    if (layout.starts_with(kLayoutMagicPrefix))
      return Status::Corruption("the record store in " + dir + " has layout version " +
                                layout.substr(kLayoutMagicPrefix.size()) +
                                ", which this build does not know (it knows " +
                                std::string(kLayoutMagic.substr(kLayoutMagicPrefix.size())) + ")");
    return Status::Corruption("the directory " + dir +
                              " holds a LevelDB database that is not a ds9 record store (m:layout "
                              "is '" +
                              layout.substr(0, 64) + "')");
  }

  uint64_t total = 0;
  for (int n = 0; n < kCountShards; ++n) {
    std::string value;
    s = db_->Get(leveldb::ReadOptions(), CountKey(n), &value);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromLevelDb(s, "cannot read the record count in " + dir);
    Status st = DecodeCounter(value, &counts_[n]);
    if (!st.ok()) return Status::Corruption(CountKey(n) + " in " + dir + ": " + st.message());
    total += counts_[n];
  }
  record_count_.store(total);
  return Status::OK();
}

int RecordStore::CountShardFor(uint64_t hash) {
  return static_cast<int>(hash % static_cast<uint64_t>(kCountShards));
}

// A count shard is owned by exactly one worker, so its counter needs no lock.
int RecordStore::WorkerFor(uint64_t hash) const { return CountShardFor(hash) % workers_->size(); }

bool RecordStore::IsMetaKey(std::string_view key) {
  return key.size() >= 2 && key[1] == ':' && key[0] >= 'a' && key[0] <= 'z' && key[0] != 'r' &&
         key[0] != 'c' && key[0] != 'h' && key[0] != 'm';
}

// ---- Operations: each queues a task on the key's worker and posts the result. ----

void RecordStore::Get(const std::string& domain, std::function<void(Status, Record)> done) {
  workers_->Submit(
      WorkerFor(KeyHash(domain)), [this, domain, done = std::move(done)](bool cancelled) mutable {
        Record rec;
        Status st = cancelled ? Closing() : DoGet(domain, &rec);
        post_([done = std::move(done), st = std::move(st), rec = std::move(rec)]() mutable {
          done(std::move(st), std::move(rec));
        });
      });
}

void RecordStore::GetChain(const std::string& domain,
                           std::function<void(Status, std::vector<RawReply>)> done) {
  workers_->Submit(
      WorkerFor(KeyHash(domain)), [this, domain, done = std::move(done)](bool cancelled) mutable {
        std::vector<RawReply> chain;
        Status st = cancelled ? Closing() : DoGetChain(domain, &chain);
        post_([done = std::move(done), st = std::move(st), chain = std::move(chain)]() mutable {
          done(std::move(st), std::move(chain));
        });
      });
}

void RecordStore::Put(const std::string& domain, Record rec, std::function<void(Status)> done) {
  workers_->Submit(WorkerFor(KeyHash(domain)), [this, domain, rec = std::move(rec),
                                                done = std::move(done)](bool cancelled) mutable {
    Status st = cancelled ? Closing() : DoPut(domain, rec);
    post_([done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
  });
}

void RecordStore::Delete(const std::string& domain, std::function<void(Status, bool)> done) {
  workers_->Submit(WorkerFor(KeyHash(domain)),
                   [this, domain, done = std::move(done)](bool cancelled) mutable {
                     bool existed = false;
                     Status st = cancelled ? Closing() : DoDelete(domain, &existed);
                     post_([done = std::move(done), st = std::move(st), existed]() mutable {
                       done(std::move(st), existed);
                     });
                   });
}

void RecordStore::Scan(uint64_t cursor, std::string match, size_t count,
                       std::function<void(Status, uint64_t, std::vector<std::string>)> done) {
  // A scan touches every shard's keys, so any worker will do: spread them.
  int worker =
      static_cast<int>(next_scan_worker_.fetch_add(1) % static_cast<uint64_t>(workers_->size()));
  workers_->Submit(worker, [this, cursor, match = std::move(match), count,
                            done = std::move(done)](bool cancelled) mutable {
    uint64_t next = 0;
    std::vector<std::string> domains;
    Status st = cancelled ? Closing() : DoScan(cursor, match, count, &next, &domains);
    post_(
        [done = std::move(done), st = std::move(st), next, domains = std::move(domains)]() mutable {
          done(std::move(st), next, std::move(domains));
        });
  });
}

void RecordStore::FlushAll(std::function<void(Status)> done) {
  // Each worker deletes the records it owns, in order with its other work; the last one to
  // finish posts the result.
  struct Flush {
    std::mutex mu;
    int remaining;
    Status first_error;  // guarded by mu
    std::function<void(Status)> done;
  };
  auto flush = std::make_shared<Flush>();
  flush->remaining = workers_->size();
  flush->done = std::move(done);
  for (int w = 0; w < workers_->size(); ++w) {
    workers_->Submit(w, [this, flush, w](bool cancelled) {
      Status st = cancelled ? Closing() : DoFlushWorker(w);
      bool last;
      {
        std::lock_guard<std::mutex> lock(flush->mu);
        if (!st.ok() && flush->first_error.ok()) flush->first_error = st;
        last = --flush->remaining == 0;
      }
      if (last) post_([flush] { flush->done(flush->first_error); });
    });
  }
}

void RecordStore::GetMeta(const std::string& key, std::function<void(Status, std::string)> done) {
  workers_->Submit(
      WorkerFor(KeyHash(key)), [this, key, done = std::move(done)](bool cancelled) mutable {
        std::string value;
        Status st;
        if (cancelled) {
          st = Closing();
        } else if (!IsMetaKey(key)) {
          st = Status::InvalidArgument("'" + key + "' is not a meta key");
        } else {
          reads_.fetch_add(1, std::memory_order_relaxed);
          st = FromLevelDb(db_->Get(leveldb::ReadOptions(), key, &value), "reading " + key);
        }
        post_([done = std::move(done), st = std::move(st), value = std::move(value)]() mutable {
          done(std::move(st), std::move(value));
        });
      });
}

void RecordStore::PutMeta(const std::string& key, std::string value, bool sync,
                          std::function<void(Status)> done) {
  WriteMeta(key, std::move(value), sync, std::move(done));
}

void RecordStore::DeleteMeta(const std::string& key, bool sync, std::function<void(Status)> done) {
  WriteMeta(key, std::nullopt, sync, std::move(done));
}

void RecordStore::WriteMeta(const std::string& key, std::optional<std::string> value, bool sync,
                            std::function<void(Status)> done) {
  workers_->Submit(WorkerFor(KeyHash(key)), [this, key, value = std::move(value), sync,
                                             done = std::move(done)](bool cancelled) mutable {
    Status st;
    if (cancelled) {
      st = Closing();
    } else if (!IsMetaKey(key)) {
      st = Status::InvalidArgument("'" + key + "' is not a meta key");
    } else {
      leveldb::WriteOptions wo;
      wo.sync = sync;
      writes_.fetch_add(1, std::memory_order_relaxed);
      st = value ? FromLevelDb(db_->Put(wo, key, *value), "writing " + key)
                 : FromLevelDb(db_->Delete(wo, key), "deleting " + key);
    }
    post_([done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
  });
}

void RecordStore::ScanMeta(
    const std::string& prefix,
    std::function<void(Status, std::vector<std::pair<std::string, std::string>>)> done) {
  workers_->Submit(
      WorkerFor(KeyHash(prefix)), [this, prefix, done = std::move(done)](bool cancelled) mutable {
        std::vector<std::pair<std::string, std::string>> out;
        Status st = cancelled ? Closing() : DoScanMeta(prefix, &out);
        post_([done = std::move(done), st = std::move(st), out = std::move(out)]() mutable {
          done(std::move(st), std::move(out));
        });
      });
}

StoreStats RecordStore::stats() const {
  StoreStats s;
  s.reads = reads_.load(std::memory_order_relaxed);
  s.writes = writes_.load(std::memory_order_relaxed);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    std::error_code size_ec;
    uint64_t size = entry.is_regular_file(size_ec) ? entry.file_size(size_ec) : 0;
    if (!size_ec) s.disk_bytes += size;
  }
  std::string value;
  if (db_->GetProperty("leveldb.stats", &value)) {
    ParseLevelDbStats(value, &s);
    s.leveldb_stats = std::move(value);
  }
  if (db_->GetProperty("leveldb.num-files-at-level0", &value))
    s.level0_files = std::strtoull(value.c_str(), nullptr, 10);
  if (db_->GetProperty("leveldb.approximate-memory-usage", &value))
    s.memory_bytes = std::strtoull(value.c_str(), nullptr, 10);
  return s;
}

// ---- Worker-side bodies ----

Status RecordStore::Exists(const std::string& key, bool* exists) {
  std::string ignored;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), key, &ignored);
  *exists = s.ok();
  if (s.ok() || s.IsNotFound()) return Status::OK();
  return FromLevelDb(s, "reading " + key);
}

Status RecordStore::DoGet(const std::string& domain, Record* rec) {
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), RecordKey(domain), &value);
  if (s.IsNotFound()) return Status::NotFound("no record for " + domain);
  if (!s.ok()) return FromLevelDb(s, "reading the record for " + domain);
  Status st = DecodeRecordHead(value, rec);
  if (!st.ok()) return Status::Corruption("the record for " + domain + ": " + st.message());
  return st;
}

Status RecordStore::DoGetChain(const std::string& domain, std::vector<RawReply>* chain) {
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), ChainKey(domain), &value);
  if (s.IsNotFound()) {
    bool exists = false;
    Status st = Exists(RecordKey(domain), &exists);
    if (!st.ok()) return st;
    return exists ? Status::OK() : Status::NotFound("no record for " + domain);
  }
  if (!s.ok()) return FromLevelDb(s, "reading the chain for " + domain);
  Status st = DecodeChain(value, chain);
  if (!st.ok()) return Status::Corruption("the chain for " + domain + ": " + st.message());
  return st;
}

Status RecordStore::DoPut(const std::string& domain, const Record& rec) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  std::string rkey = RecordKey(domain);
  bool existed = false;
  st = Exists(rkey, &existed);
  if (!st.ok()) return st;

  leveldb::WriteBatch batch;
  batch.Put(rkey, EncodeRecordHead(rec));
  if (rec.chain.empty())
    batch.Delete(ChainKey(domain));
  else
    batch.Put(ChainKey(domain), EncodeChain(rec.chain));
  int shard = CountShardFor(KeyHash(domain));
  if (!existed) batch.Put(CountKey(shard), EncodeCounter(counts_[shard] + 1));

  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return FromLevelDb(s, "writing the record for " + domain);
  if (!existed) {
    ++counts_[shard];
    record_count_.fetch_add(1, std::memory_order_relaxed);
  }
  return Status::OK();
}

Status RecordStore::DoDelete(const std::string& domain, bool* existed) {
  std::string rkey = RecordKey(domain);
  Status st = Exists(rkey, existed);
  if (!st.ok() || !*existed) return st;

  int shard = CountShardFor(KeyHash(domain));
  leveldb::WriteBatch batch;
  batch.Delete(rkey);
  batch.Delete(ChainKey(domain));
  st = DeleteHistoryInto(domain, &batch);
  if (!st.ok()) {
    *existed = false;
    return st;
  }
  batch.Put(CountKey(shard), EncodeCounter(counts_[shard] > 0 ? counts_[shard] - 1 : 0));
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    *existed = false;
    return FromLevelDb(s, "deleting the record for " + domain);
  }
  if (counts_[shard] > 0) {
    --counts_[shard];
    record_count_.fetch_sub(1, std::memory_order_relaxed);
  }
  return Status::OK();
}

// See the contract on Scan. The stop rule: once `count` keys have been examined, stop before the
// first valid key whose kCursorChars-prefix differs from the last valid key examined. Then every
// key sharing the returned prefix is still ahead (keys sort by prefix first), and the returned
// prefix is greater than the one we started from, so the scan always advances and never skips.
Status RecordStore::DoScan(uint64_t cursor, const std::string& match, size_t count, uint64_t* next,
                           std::vector<std::string>* domains) {
  std::optional<std::string> start = DecodeCursor(cursor);
  if (!start) return Status::InvalidArgument("invalid cursor " + std::to_string(cursor));
  if (count == 0) count = 1;
  bool match_all = match.empty() || match == "*";

  leveldb::ReadOptions ro;
  ro.fill_cache = false;  // a full scan must not flush the hot blocks out of the cache
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
  size_t examined = 0;
  bool have_last = false;
  std::string last_prefix;
  *next = 0;
  for (it->Seek(RecordKey(*start)); it->Valid(); it->Next()) {
    leveldb::Slice key = it->key();
    if (!StartsWith(key, kRecordPrefix)) break;
    std::string_view domain(key.data() + kRecordPrefix.size(), key.size() - kRecordPrefix.size());
    ++examined;
    // Keys outside the cursor alphabet cannot be resumed from: never stop on them, never return
    // them (Put refuses to write them; they can only come from outside).
    if (domain.empty() || !IsCursorText(domain)) continue;
    std::string_view prefix = domain.substr(0, kCursorChars);
    if (examined > count && have_last && prefix != last_prefix) {
      *next = EncodeCursor(prefix);
      break;
    }
    have_last = true;
    last_prefix.assign(prefix);
    if (match_all || GlobMatch(match, domain)) domains->emplace_back(domain);
  }
  if (!it->status().ok()) return FromLevelDb(it->status(), "scanning records");
  return Status::OK();
}

Status RecordStore::DoFlushWorker(int worker) {
  leveldb::ReadOptions ro;
  ro.fill_cache = false;
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
  reads_.fetch_add(1, std::memory_order_relaxed);

  // Each batch carries the counters of the records it deletes, so the count stays exact even if
  // the process dies half-way through a flush.
  leveldb::WriteBatch batch;
  size_t batch_keys = 0;
  uint64_t deleted[kCountShards] = {};
  auto commit = [&]() -> Status {
    for (int n = 0; n < kCountShards; ++n)
      if (deleted[n] > 0)
        batch.Put(CountKey(n),
                  EncodeCounter(counts_[n] > deleted[n] ? counts_[n] - deleted[n] : 0));
    writes_.fetch_add(1, std::memory_order_relaxed);
    leveldb::Status s = db_->Write(wo, &batch);
    if (!s.ok()) return FromLevelDb(s, "flushing records");
    // Only this worker's shards have deletions: never touch another worker's counters.
    for (int n = 0; n < kCountShards; ++n) {
      if (deleted[n] == 0) continue;
      uint64_t d = std::min(deleted[n], counts_[n]);
      counts_[n] -= d;
      record_count_.fetch_sub(d, std::memory_order_relaxed);
      deleted[n] = 0;
    }
    batch.Clear();
    batch_keys = 0;
    return Status::OK();
  };

  // Records last: a flush cut short leaves records without history, never history without its
  // record.
  for (std::string_view prefix : {kChainPrefix, kHistoryPrefix, kRecordPrefix}) {
    for (it->Seek(leveldb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      leveldb::Slice key = it->key();
      if (!StartsWith(key, prefix)) break;
      std::string_view domain(key.data() + prefix.size(), key.size() - prefix.size());
      if (prefix == kHistoryPrefix) domain = domain.substr(0, domain.find(kHistorySeparator));
      uint64_t h = KeyHash(domain);
      if (WorkerFor(h) != worker) continue;
      batch.Delete(key);
      if (prefix == kRecordPrefix) ++deleted[CountShardFor(h)];
      if (++batch_keys >= kFlushBatchKeys) {
        Status st = commit();
        if (!st.ok()) return st;
      }
    }
    if (!it->status().ok()) return FromLevelDb(it->status(), "flushing records");
  }
  // Reset this worker's counters to zero outright, so a count that ever drifted is repaired.
  for (int n = 0; n < kCountShards; ++n) {
    if (n % workers_->size() != worker) continue;
    batch.Put(CountKey(n), EncodeCounter(0));
    deleted[n] = counts_[n];
  }
  return commit();
}

Status RecordStore::DoScanMeta(const std::string& prefix,
                               std::vector<std::pair<std::string, std::string>>* out) {
  if (!IsMetaKey(prefix)) return Status::InvalidArgument("'" + prefix + "' is not a meta prefix");
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (!StartsWith(it->key(), prefix)) break;
    out->emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok()) return FromLevelDb(it->status(), "scanning " + prefix);
  return Status::OK();
}

}  // namespace storage
