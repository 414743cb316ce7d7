#include "storage/meta_transaction.h"

#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <memory>

#include "storage/key_hash.h"
#include "storage/record_store.h"
#include "storage/record_store_internal.h"
#include "storage/worker_pool.h"

namespace storage {

using internal::Closing;
using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

Status MetaTransaction::Get(const std::string& key, std::string* value) {
  if (!RecordStore::IsMetaKey(key))
    return Status::InvalidArgument("'" + key + "' is not a meta key");
  if (auto it = writes_.find(key); it != writes_.end()) {
    if (!it->second) return Status::NotFound(key + " is deleted");
    *value = *it->second;
    return Status::OK();
  }
  reads_->fetch_add(1, std::memory_order_relaxed);
  return FromLevelDb(db_->Get(VerifiedReads(), key, value), "reading " + key);
}

void MetaTransaction::Put(const std::string& key, std::string value) {
  if (!RecordStore::IsMetaKey(key)) {
    error_ = Status::InvalidArgument("'" + key + "' is not a meta key");
    return;
  }
  writes_[key] = std::move(value);
}

void MetaTransaction::Delete(const std::string& key) {
  if (!RecordStore::IsMetaKey(key)) {
    error_ = Status::InvalidArgument("'" + key + "' is not a meta key");
    return;
  }
  writes_[key] = std::nullopt;
}

Status MetaTransaction::Scan(const std::string& prefix, const std::string& after, size_t limit,
                             std::vector<std::pair<std::string, std::string>>* out) {
  if (!RecordStore::IsMetaKey(prefix))
    return Status::InvalidArgument("'" + prefix + "' is not a meta prefix");
  reads_->fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads()));
  it->Seek(after.empty() ? prefix : after);
  if (!after.empty() && it->Valid() && it->key() == leveldb::Slice(after)) it->Next();
  for (; it->Valid() && out->size() < limit; it->Next()) {
    if (!StartsWith(it->key(), prefix)) break;
    out->emplace_back(it->key().ToString(), it->value().ToString());
  }
  return FromLevelDb(it->status(), "scanning " + prefix);
}

void RecordStore::RunMetaTransaction(const std::string& route_key,
                                     std::function<Status(MetaTransaction&)> fn, bool sync,
                                     std::function<void(Status)> done) {
  int w = WorkerFor(KeyHash(route_key));
  workers_->Submit(
      w, [this, w, fn = std::move(fn), sync, done = std::move(done)](bool cancelled) mutable {
        Status st = cancelled ? Closing() : DoMetaTransaction(w, fn, sync);
        fn = nullptr;  // what it captured is released on the worker, before the result is posted
        post_([done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
      });
}

Status RecordStore::DoMetaTransaction(int self, const std::function<Status(MetaTransaction&)>& fn,
                                      bool sync) {
  Status st = CheckOpen(self);
  if (!st.ok()) return st;
  MetaTransaction txn(db_.get(), &reads_);
  st = fn(txn);
  if (st.ok()) st = txn.error_;
  if (!st.ok() || txn.writes_.empty()) return st;
  st = CheckWritable(self);
  if (!st.ok()) return st;
  leveldb::WriteBatch batch;
  for (const auto& [key, value] : txn.writes_) {
    if (value)
      batch.Put(key, *value);
    else
      batch.Delete(key);
  }
  leveldb::WriteOptions wo;
  wo.sync = sync;
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Write(wo, &batch);
  return s.ok() ? Status::OK() : WriteFailed(s, "writing a meta transaction");
}

}  // namespace storage
