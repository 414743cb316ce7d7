// RecordStore's read-modify-write (Update) and the history of earlier versions it keeps
// (h:<domain>/<seq>, see storage/README.md). Each runs on the worker that owns the domain, like
// every other operation on it.
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <memory>

#include "storage/key_hash.h"
#include "storage/key_layout.h"
#include "storage/record_codec.h"
#include "storage/record_store.h"
#include "storage/store_internal.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

using internal::CheckDomain;
using internal::Closing;
using internal::FromLevelDb;
using internal::StartsWith;

// The history keys of one domain, oldest first.
Status ListHistory(leveldb::DB* db, const std::string& domain, std::vector<std::string>* keys,
                   std::vector<std::string>* values) {
  std::string prefix = HistoryPrefix(domain);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    keys->push_back(it->key().ToString());
    if (values) values->push_back(it->value().ToString());
  }
  return FromLevelDb(it->status(), "reading the history of " + domain);
}

// The number in a history key (its last 16 hex digits).
uint64_t HistorySeq(std::string_view key) {
  uint64_t seq = 0;
  for (char c : key.substr(key.size() - 16))
    seq = (seq << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  return seq;
}

}  // namespace

void RecordStore::Update(const std::string& domain, UpdateDecision decide, size_t history_max,
                         std::function<void(Status, RecordUpdate)> done) {
  workers_->Submit(
      WorkerFor(KeyHash(domain)), [this, domain, decide = std::move(decide), history_max,
                                   done = std::move(done)](bool cancelled) mutable {
        RecordUpdate update;
        Status st = cancelled ? Closing() : DoUpdate(domain, decide, history_max, &update);
        // The decision (and what it captured) is released here, on the worker, before the result
        // travels back.
        decide = nullptr;
        post_([done = std::move(done), st = std::move(st), update = std::move(update)]() mutable {
          done(std::move(st), std::move(update));
        });
      });
}

void RecordStore::GetHistory(const std::string& domain, size_t count,
                             std::function<void(Status, std::vector<Record>)> done) {
  workers_->Submit(WorkerFor(KeyHash(domain)), [this, domain, count,
                                                done = std::move(done)](bool cancelled) mutable {
    std::vector<Record> versions;
    Status st = cancelled ? Closing() : DoGetHistory(domain, count, &versions);
    post_([done = std::move(done), st = std::move(st), versions = std::move(versions)]() mutable {
      done(std::move(st), std::move(versions));
    });
  });
}

Status RecordStore::DoUpdate(const std::string& domain, const UpdateDecision& decide,
                             size_t history_max, RecordUpdate* out) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  std::string rkey = RecordKey(domain);
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), rkey, &value);
  if (!s.ok() && !s.IsNotFound()) return FromLevelDb(s, "reading the record for " + domain);
  const bool existed = s.ok();
  std::optional<Record> current;
  if (existed) {
    current.emplace();
    // A record that cannot be decoded is decided on as no record, so that what the caller
    // fetched replaces it.
    if (!DecodeRecordHead(value, &*current).ok()) current.reset();
  }
  *out = decide(current ? &*current : nullptr);
  if (!out->put) return Status::OK();

  leveldb::WriteBatch batch;
  if (out->archive_current && current && history_max > 0) {
    std::vector<std::string> keys;
    st = ListHistory(db_.get(), domain, &keys, nullptr);
    if (!st.ok()) return st;
    uint64_t next = keys.empty() ? 0 : HistorySeq(keys.back()) + 1;
    Record archived = std::move(*current);
    archived.refresh_failures = 0;  // the back-off belonged to the current record, not to history
    archived.refresh_after_ms = 0;
    batch.Put(HistoryKey(domain, next), EncodeRecordHead(archived));
    // Oldest first: with the new version there are keys.size() + 1.
    size_t drop = keys.size() + 1 > history_max ? keys.size() + 1 - history_max : 0;
    for (size_t i = 0; i < drop; ++i) batch.Delete(keys[i]);
  }
  const Record& rec = *out->put;
  batch.Put(rkey, EncodeRecordHead(rec));
  if (!out->keep_chain) {
    if (rec.chain.empty())
      batch.Delete(ChainKey(domain));
    else
      batch.Put(ChainKey(domain), EncodeChain(rec.chain));
  }
  int shard = CountShardFor(KeyHash(domain));
  if (!existed) batch.Put(CountKey(shard), EncodeCounter(counts_[shard] + 1));
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  writes_.fetch_add(1, std::memory_order_relaxed);
  s = db_->Write(wo, &batch);
  if (!s.ok()) return FromLevelDb(s, "writing the record for " + domain);
  if (!existed) {
    ++counts_[shard];
    record_count_.fetch_add(1, std::memory_order_relaxed);
  }
  out->put->chain.clear();
  return Status::OK();
}

Status RecordStore::DoGetHistory(const std::string& domain, size_t count,
                                 std::vector<Record>* out) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  std::vector<std::string> keys, values;
  reads_.fetch_add(1, std::memory_order_relaxed);
  st = ListHistory(db_.get(), domain, &keys, &values);
  if (!st.ok()) return st;
  for (size_t i = values.size(); i-- > 0 && out->size() < count;) {
    Record rec;
    st = DecodeRecordHead(values[i], &rec);
    if (!st.ok()) return Status::Corruption(keys[i] + ": " + st.message());
    out->push_back(std::move(rec));
  }
  return Status::OK();
}

Status RecordStore::DeleteHistoryInto(const std::string& domain, leveldb::WriteBatch* batch) {
  std::vector<std::string> keys;
  Status st = ListHistory(db_.get(), domain, &keys, nullptr);
  for (const std::string& k : keys) batch->Delete(k);
  return st;
}

}  // namespace storage
