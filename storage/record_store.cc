#include "storage/record_store.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>

#include "storage/glob.h"
#include "storage/info_log.h"
#include "storage/key_hash.h"
#include "storage/key_layout.h"
#include "storage/pread_env.h"
#include "storage/record_codec.h"
#include "storage/record_store_internal.h"
#include "storage/scan_cursor.h"
#include "storage/store_directory.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

// FlushAll deletes in batches of this many keys so that one batch never grows without bound.
constexpr size_t kFlushBatchKeys = 1000;

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

using internal::CheckDomain;
using internal::Closing;
using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

int RecordStore::CountShardFor(uint64_t hash) {
  return static_cast<int>(hash % static_cast<uint64_t>(kCountShards));
}

// A count shard is owned by exactly one worker, so its counter needs no lock.
int RecordStore::WorkerFor(uint64_t hash) const { return CountShardFor(hash) % workers_->size(); }

bool RecordStore::IsMetaKey(std::string_view key) {
  return key.size() >= 2 && key[1] == ':' && key[0] >= 'a' && key[0] <= 'z' && key[0] != 'r' &&
         key[0] != 'c' && key[0] != 'h' && key[0] != 'm';
}

void RecordStore::DeferWakeupsToThisThread() { workers_->DeferWakeupsToThisThread(); }

void RecordStore::WakeWorkers() { workers_->WakeDeferred(); }

int64_t RecordStore::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RecordStore::Log(Severity severity, const std::string& message) const {
  if (options_.log) options_.log(severity, message);
}

// ---- Operations: each queues a task on the key's worker and posts the result. ----

void RecordStore::Get(const std::string& domain, std::function<void(Status, Record)> done) {
  int w = WorkerFor(KeyHash(domain));
  workers_->Submit(w, [this, w, domain, done = std::move(done)](bool cancelled) mutable {
    Record rec;
    Status st = cancelled ? Closing() : DoGet(w, domain, &rec);
    post_([done = std::move(done), st = std::move(st), rec = std::move(rec)]() mutable {
      done(std::move(st), std::move(rec));
    });
  });
}

namespace {

std::shared_ptr<void> PendingToken(std::shared_ptr<void> owner, std::atomic<uint32_t>* count) {
  count->fetch_add(1, std::memory_order_acq_rel);
  return std::shared_ptr<void>(nullptr, [owner = std::move(owner), count](void*) {
    count->fetch_sub(1, std::memory_order_acq_rel);
  });
}

}  // namespace

std::shared_ptr<void> RecordStore::PendingWrite(uint64_t key_hash) {
  return PendingToken(pending_, &pending_->shard[CountShardFor(key_hash)]);
}

std::shared_ptr<void> RecordStore::PendingFlush() {
  return PendingToken(pending_, &pending_->flushes);
}

RecordStore::ReadNow RecordStore::TryGetNow(const std::string& domain, Record* rec,
                                            PackedJson* packed) {
  const uint64_t h = KeyHash(domain);
  if (pending_->flushes.load(std::memory_order_acquire) != 0 ||
      pending_->shard[CountShardFor(h)].load(std::memory_order_acquire) != 0)
    return ReadNow::kDeferred;
  // db_ is replaced only under db_mu_; a worker replacing it right now is rare and worth no wait.
  std::unique_lock<std::mutex> lock(db_mu_, std::try_to_lock);
  if (!lock.owns_lock() || !db_) return ReadNow::kDeferred;
  std::string value;
  if (mirror_ && mirror_->TryRead(domain, h, &value) == HeadMirror::Read::kFound) {
    reads_.fetch_add(1, std::memory_order_relaxed);
    // The mirror's bytes passed their checksum, so a head that does not decode is damage in the
    // database's own copy too (they are the same bytes): the worker reads and reports it.
    return values_.DecodeHead(value, rec, packed).ok() ? ReadNow::kFound : ReadNow::kDeferred;
  }
  leveldb::Status s;
  {
    NoDiskWaits no_waits;
    s = db_->Get(VerifiedReads(), RecordKey(domain), &value);
  }
  if (s.IsNotFound()) return ReadNow::kAbsent;
  if (!s.ok()) return ReadNow::kDeferred;
  reads_.fetch_add(1, std::memory_order_relaxed);
  // A head that does not decode is damage, which the worker reports.
  return values_.DecodeHead(value, rec, packed).ok() ? ReadNow::kFound : ReadNow::kDeferred;
}

void RecordStore::GetChain(const std::string& domain,
                           std::function<void(Status, std::vector<RawReply>)> done) {
  int w = WorkerFor(KeyHash(domain));
  workers_->Submit(w, [this, w, domain, done = std::move(done)](bool cancelled) mutable {
    std::vector<RawReply> chain;
    Status st = cancelled ? Closing() : DoGetChain(w, domain, &chain);
    post_([done = std::move(done), st = std::move(st), chain = std::move(chain)]() mutable {
      done(std::move(st), std::move(chain));
    });
  });
}

void RecordStore::Put(const std::string& domain, Record rec, std::function<void(Status)> done) {
  const uint64_t h = KeyHash(domain);
  int w = WorkerFor(h);
  workers_->Submit(w, [this, w, domain, pending = PendingWrite(h), rec = std::move(rec),
                       done = std::move(done)](bool cancelled) mutable {
    Status st = cancelled ? Closing() : DoPut(w, domain, rec);
    post_([pending = std::move(pending), done = std::move(done), st = std::move(st)]() mutable {
      done(std::move(st));
    });
  });
}

void RecordStore::Delete(const std::string& domain, std::function<void(Status, bool)> done) {
  const uint64_t h = KeyHash(domain);
  int w = WorkerFor(h);
  workers_->Submit(w, [this, w, domain, pending = PendingWrite(h),
                       done = std::move(done)](bool cancelled) mutable {
    bool existed = false;
    Status st = cancelled ? Closing() : DoDelete(w, domain, &existed);
    post_([pending = std::move(pending), done = std::move(done), st = std::move(st),
           existed]() mutable { done(std::move(st), existed); });
  });
}

void RecordStore::Scan(uint64_t cursor, std::string match, size_t count,
                       std::function<void(Status, uint64_t, std::vector<std::string>)> done) {
  // A scan touches every shard's keys, so any worker will do: spread them.
  int worker =
      static_cast<int>(next_scan_worker_.fetch_add(1) % static_cast<uint64_t>(workers_->size()));
  workers_->Submit(worker, [this, worker, cursor, match = std::move(match), count,
                            done = std::move(done)](bool cancelled) mutable {
    uint64_t next = 0;
    std::vector<std::string> domains;
    Status st = cancelled ? Closing() : DoScan(worker, cursor, match, count, &next, &domains);
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
    std::shared_ptr<void> pending;  // PendingFlush, posted with the completion
  };
  auto flush = std::make_shared<Flush>();
  flush->remaining = workers_->size();
  flush->done = std::move(done);
  flush->pending = PendingFlush();
  for (int w = 0; w < workers_->size(); ++w) {
    workers_->Submit(w, [this, flush, w](bool cancelled) {
      Status st = cancelled ? Closing() : DoFlushWorker(w);
      bool last;
      {
        std::lock_guard<std::mutex> lock(flush->mu);
        if (!st.ok() && flush->first_error.ok()) flush->first_error = st;
        last = --flush->remaining == 0;
      }
      if (last)
        post_([flush, pending = std::move(flush->pending)] { flush->done(flush->first_error); });
    });
  }
}

namespace {

// Why a meta read or write must not start: the store is closing, or `key` is not a meta key.
// OK when it may.
Status MetaRefusal(bool cancelled, const std::string& key) {
  if (cancelled) return Closing();
  if (!RecordStore::IsMetaKey(key)) {
    return Status::InvalidArgument("'" + key + "' is not a meta key");
  }
  return Status::OK();
}

}  // namespace

void RecordStore::GetMeta(const std::string& key, std::function<void(Status, std::string)> done) {
  int w = WorkerFor(KeyHash(key));
  workers_->Submit(w, [this, w, key, done = std::move(done)](bool cancelled) mutable {
    std::string value;
    Status st = MetaRefusal(cancelled, key);
    if (st.ok()) st = CheckOpen(w);
    if (st.ok()) {
      reads_.fetch_add(1, std::memory_order_relaxed);
      st = FromLevelDb(db_->Get(VerifiedReads(), key, &value), "reading " + key);
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
  int w = WorkerFor(KeyHash(key));
  workers_->Submit(w, [this, w, key, value = std::move(value), sync,
                       done = std::move(done)](bool cancelled) mutable {
    Status st = MetaRefusal(cancelled, key);
    if (st.ok()) st = CheckWritable(w);
    if (st.ok()) {
      leveldb::WriteOptions wo;
      wo.sync = sync;
      writes_.fetch_add(1, std::memory_order_relaxed);
      leveldb::Status s = value ? db_->Put(wo, key, *value) : db_->Delete(wo, key);
      if (!s.ok()) st = WriteFailed(s, (value ? "writing " : "deleting ") + key);
    }
    post_([done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
  });
}

void RecordStore::ScanMeta(
    const std::string& prefix,
    std::function<void(Status, std::vector<std::pair<std::string, std::string>>)> done) {
  int w = WorkerFor(KeyHash(prefix));
  workers_->Submit(w, [this, w, prefix, done = std::move(done)](bool cancelled) mutable {
    std::vector<std::pair<std::string, std::string>> out;
    Status st = cancelled ? Closing() : DoScanMeta(w, prefix, &out);
    post_([done = std::move(done), st = std::move(st), out = std::move(out)]() mutable {
      done(std::move(st), std::move(out));
    });
  });
}

StoreStats RecordStore::stats() const {
  StoreStats s;
  s.mirror = mirror_stats();
  s.reads = reads_.load(std::memory_order_relaxed);
  s.writes = writes_.load(std::memory_order_relaxed);
  s.repacked_values = repacked_values();
  s.repacking = repacking();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    std::error_code size_ec;
    uint64_t size = entry.is_regular_file(size_ec) ? entry.file_size(size_ec) : 0;
    if (!size_ec) s.disk_bytes += size;
  }
  // While recovery replaces the database, the caller's thread does not wait for it.
  std::unique_lock<std::mutex> lock(db_mu_, std::try_to_lock);
  if (!lock.owns_lock() || !db_) return s;
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

// ---- The head mirror ----

leveldb::Status RecordStore::Commit(const leveldb::WriteOptions& options,
                                    leveldb::WriteBatch* batch) {
  leveldb::Status s = db_->Write(options, batch);
  if (!s.ok() || !mirror_) return s;
  // The batch's record heads, in the order it wrote them.
  struct Heads final : leveldb::WriteBatch::Handler {
    explicit Heads(HeadMirror* m) : mirror(m) {}
    void Put(const leveldb::Slice& key, const leveldb::Slice& value) override {
      if (auto d = DomainOfRecordKey(std::string_view(key.data(), key.size()))) {
        const std::string_view v(value.data(), value.size());
        mirror->Apply(*d, KeyHash(*d), &v);
      }
    }
    void Delete(const leveldb::Slice& key) override {
      if (auto d = DomainOfRecordKey(std::string_view(key.data(), key.size())))
        mirror->Apply(*d, KeyHash(*d), nullptr);
    }
    HeadMirror* mirror;
  } heads(mirror_.get());
  (void)batch->Iterate(&heads);
  if (mirror_->wants_rebuild() && mirror_->ClaimRebuild()) StartMirrorBuild();
  return s;
}

void RecordStore::StartMirrorBuild() {
  if (!mirror_ || !workers_) return;
  uint64_t generation = 0;
  Status st = mirror_->Begin(record_count(), &generation);
  if (!st.ok()) {
    Log(Severity::kWarning,
        "record store: no head mirror (" + st.message() + "); cold reads go to LevelDB");
    return;
  }
  workers_->Submit(0, [this, generation](bool cancelled) {
    if (!cancelled) MirrorBuildStep(0, generation, std::string(kRecordPrefix));
  });
}

void RecordStore::MirrorBuildStep(int self, uint64_t generation, std::string after_key) {
  if (!db_) return;  // recovery failed; the next database's build starts after it
  std::vector<std::pair<std::string, std::string>> heads;
  heads.reserve(internal::kMirrorBuildStep);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads(/*fill_cache=*/false)));
  it->Seek(after_key);
  if (it->Valid() && it->key() == leveldb::Slice(after_key)) it->Next();
  bool more = false;
  for (; it->Valid(); it->Next()) {
    const auto domain = DomainOfRecordKey(std::string_view(it->key().data(), it->key().size()));
    if (!domain) break;
    if (heads.size() == internal::kMirrorBuildStep) {
      more = true;
      break;
    }
    heads.emplace_back(std::string(*domain), std::string(it->value().data(), it->value().size()));
  }
  const leveldb::Status status = it->status();
  it.reset();
  if (std::optional<uint64_t> free = FreeBytes(options_.dir);
      free && *free < options_.mirror_keep_free_bytes) {
    mirror_->Drop();
    Log(Severity::kWarning, "record store: no head mirror (" + std::to_string(*free >> 20) +
                                " MiB free in " + options_.dir + ", which the database keeps); " +
                                "cold reads go to LevelDB until the next start");
    return;
  }
  if (!mirror_->Fill(generation, heads)) return;  // a newer generation took over, or a write failed
  if (!status.ok()) {
    // What the build did not reach is read from LevelDB, as without a mirror.
    Log(Severity::kWarning, "record store: the head mirror stops short (" + status.ToString() +
                                "); the heads after " + after_key + " are read from LevelDB");
    return;
  }
  if (!more) {
    mirror_->Finish(generation);
    Log(Severity::kInfo,
        "record store: head mirror built (" + std::to_string(mirror_->stats().heads) + " heads)");
    return;
  }
  const int next = (self + 1) % workers_->size();
  workers_->Submit(next, [this, next, generation,
                          last = std::string(kRecordPrefix) + heads.back().first](bool cancelled) {
    if (!cancelled) MirrorBuildStep(next, generation, last);
  });
}

// ---- Worker-side bodies ----

Status RecordStore::Probe(const std::string& key, Presence* presence) {
  std::string ignored;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(VerifiedReads(), key, &ignored);
  if (s.ok())
    *presence = Presence::kPresent;
  else if (s.IsNotFound())
    *presence = Presence::kAbsent;
  else if (s.IsCorruption())
    *presence = Presence::kDamaged;
  else
    return FromLevelDb(s, "reading " + key);
  return Status::OK();
}

Status RecordStore::DoGet(int self, const std::string& domain, Record* rec) {
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(VerifiedReads(), RecordKey(domain), &value);
  if (s.IsNotFound()) return Status::NotFound("no record for " + domain);
  if (s.IsCorruption()) return Damaged(domain, s.ToString(), true);
  if (!s.ok()) return FromLevelDb(s, "reading the record for " + domain);
  st = values_.DecodeHead(value, rec);
  if (!st.ok()) return Damaged(domain, "its head does not decode: " + st.message(), false);
  return st;
}

Status RecordStore::DoGetChain(int self, const std::string& domain, std::vector<RawReply>* chain) {
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(VerifiedReads(), ChainKey(domain), &value);
  if (s.IsNotFound()) {
    Presence head = Presence::kAbsent;
    st = Probe(RecordKey(domain), &head);
    if (!st.ok()) return st;
    if (head == Presence::kDamaged) return Damaged(domain, "its head is unreadable", true);
    return head == Presence::kPresent ? Status::OK() : Status::NotFound("no record for " + domain);
  }
  if (s.IsCorruption()) return Damaged(domain, s.ToString(), true);
  if (!s.ok()) return FromLevelDb(s, "reading the chain for " + domain);
  st = values_.DecodeChain(value, chain);
  if (!st.ok()) {
    chain->clear();
    return Damaged(domain, "its chain does not decode: " + st.message(), false);
  }
  return st;
}

Status RecordStore::DoPut(int self, const std::string& domain, const Record& rec) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  st = CheckWritable(self);
  if (!st.ok()) return st;
  std::string rkey = RecordKey(domain);
  Presence before = Presence::kAbsent;
  st = Probe(rkey, &before);
  if (!st.ok()) return st;
  if (before == Presence::kDamaged) (void)Damaged(domain, "found while replacing it", true);
  // A record LevelDB cannot read is not in the count (a recount leaves it out): its
  // replacement is counted as new.
  const bool counted = before == Presence::kPresent;

  leveldb::WriteBatch batch;
  return WriteRecord(&batch, domain, rec, /*keep_chain=*/false, counted);
}

Status RecordStore::WriteRecord(leveldb::WriteBatch* batch, const std::string& domain,
                                const Record& rec, bool keep_chain, bool counted) {
  batch->Put(RecordKey(domain), values_.EncodeHead(rec));
  if (!keep_chain) {
    if (rec.chain.empty())
      batch->Delete(ChainKey(domain));
    else
      batch->Put(ChainKey(domain), values_.EncodeChain(rec.chain));
  }
  const int shard = CountShardFor(KeyHash(domain));
  if (!counted) batch->Put(CountKey(shard), EncodeCounter(counts_[shard] + 1));
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = Commit(wo, batch);
  if (!s.ok()) return WriteFailed(s, "writing the record for " + domain);
  if (!counted) {
    ++counts_[shard];
    record_count_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!reported_[shard].empty()) reported_[shard].erase(domain);
  return Status::OK();
}

Status RecordStore::DoDelete(int self, const std::string& domain, bool* existed) {
  *existed = false;
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  std::string rkey = RecordKey(domain);
  Presence before = Presence::kAbsent;
  st = Probe(rkey, &before);
  if (!st.ok() || before == Presence::kAbsent) return st;
  if (before == Presence::kDamaged) (void)Damaged(domain, "found while deleting it", true);
  st = CheckWritable(self);
  if (!st.ok()) return st;

  int shard = CountShardFor(KeyHash(domain));
  const bool counted = before == Presence::kPresent;
  leveldb::WriteBatch batch;
  batch.Delete(rkey);
  batch.Delete(ChainKey(domain));
  st = DeleteHistoryInto(domain, &batch);
  if (!st.ok()) return st;
  if (counted)
    batch.Put(CountKey(shard), EncodeCounter(counts_[shard] > 0 ? counts_[shard] - 1 : 0));
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = Commit(wo, &batch);
  if (!s.ok()) return WriteFailed(s, "deleting the record for " + domain);
  if (counted && counts_[shard] > 0) {
    --counts_[shard];
    record_count_.fetch_sub(1, std::memory_order_relaxed);
  }
  if (!reported_[shard].empty()) reported_[shard].erase(domain);
  *existed = true;
  return Status::OK();
}

// See the contract on Scan. The stop rule: once `count` keys have been examined, stop before the
// first valid key whose kCursorChars-prefix differs from the last valid key examined. Then every
// key sharing the returned prefix is still ahead (keys sort by prefix first), and the returned
// prefix is greater than the one we started from, so the scan always advances and never skips.
Status RecordStore::DoScan(int self, uint64_t cursor, const std::string& match, size_t count,
                           uint64_t* next, std::vector<std::string>* domains) {
  std::optional<std::string> start = DecodeCursor(cursor);
  if (!start) return Status::InvalidArgument("invalid cursor " + std::to_string(cursor));
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  if (count == 0) count = 1;
  bool match_all = match.empty() || match == "*";

  // A full scan must not flush the hot blocks out of the cache.
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads(/*fill_cache=*/false)));
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
  // LevelDB's iterator passes over a block that fails its checksum and remembers the error: the
  // records in it are absent, as they are to Get.
  if (it->status().IsCorruption())
    DamageWhileIterating("SCAN", it->status());
  else if (!it->status().ok())
    return FromLevelDb(it->status(), "scanning records");
  return Status::OK();
}

Status RecordStore::DoFlushWorker(int worker) {
  Status st = CheckWritable(worker);
  if (!st.ok()) return st;
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads(/*fill_cache=*/false)));
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
    leveldb::Status s = Commit(wo, &batch);
    if (!s.ok()) return WriteFailed(s, "flushing records");
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
        st = commit();
        if (!st.ok()) return st;
      }
    }
    // Damaged blocks hold records nothing can read: they stay, uncounted, and are left to a
    // repair (the counters below go to zero all the same).
    if (it->status().IsCorruption())
      DamageWhileIterating("FLUSHALL", it->status());
    else if (!it->status().ok())
      return FromLevelDb(it->status(), "flushing records");
  }
  // Reset this worker's counters to zero outright, so a count that ever drifted is repaired.
  for (int n = 0; n < kCountShards; ++n) {
    if (n % workers_->size() != worker) continue;
    batch.Put(CountKey(n), EncodeCounter(0));
    deleted[n] = counts_[n];
  }
  for (int n = 0; n < kCountShards; ++n)
    if (n % workers_->size() == worker) reported_[n].clear();
  return commit();
}

Status RecordStore::DoScanMeta(int self, const std::string& prefix,
                               std::vector<std::pair<std::string, std::string>>* out) {
  if (!IsMetaKey(prefix)) return Status::InvalidArgument("'" + prefix + "' is not a meta prefix");
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads()));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (!StartsWith(it->key(), prefix)) break;
    out->emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (it->status().IsCorruption())
    DamageWhileIterating("reading " + prefix + " keys", it->status());
  else if (!it->status().ok())
    return FromLevelDb(it->status(), "scanning " + prefix);
  return Status::OK();
}

}  // namespace storage
