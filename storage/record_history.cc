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
#include "storage/record_store_internal.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

using internal::CheckDomain;
using internal::Closing;
using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

// The history keys of one domain, oldest first. A damaged block is passed over (its versions are
// lost, as a damaged record is); *status says so.
void ListHistory(leveldb::DB* db, const std::string& domain, std::vector<std::string>* keys,
                 std::vector<std::string>* values, leveldb::Status* status) {
  std::string prefix = HistoryPrefix(domain);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(VerifiedReads()));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    keys->push_back(it->key().ToString());
    if (values) values->push_back(it->value().ToString());
  }
  *status = it->status();
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
  const uint64_t h = KeyHash(domain);
  int w = WorkerFor(h);
  workers_->Submit(w, [this, w, domain, pending = PendingWrite(h), decide = std::move(decide),
                       history_max, done = std::move(done)](bool cancelled) mutable {
    RecordUpdate update;
    Status st = cancelled ? Closing() : DoUpdate(w, domain, decide, history_max, &update);
    // The decision (and what it captured) is released here, on the worker, before the result
    // travels back.
    decide = nullptr;
    post_([pending = std::move(pending), done = std::move(done), st = std::move(st),
           update = std::move(update)]() mutable { done(std::move(st), std::move(update)); });
  });
}

void RecordStore::GetHistory(const std::string& domain, size_t count,
                             std::function<void(Status, std::vector<Record>)> done) {
  int w = WorkerFor(KeyHash(domain));
  workers_->Submit(w, [this, w, domain, count, done = std::move(done)](bool cancelled) mutable {
    std::vector<Record> versions;
    Status st = cancelled ? Closing() : DoGetHistory(w, domain, count, &versions);
    post_([done = std::move(done), st = std::move(st), versions = std::move(versions)]() mutable {
      done(std::move(st), std::move(versions));
    });
  });
}

Status RecordStore::DoUpdate(int self, const std::string& domain, const UpdateDecision& decide,
                             size_t history_max, RecordUpdate* out) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  st = CheckWritable(self);
  if (!st.ok()) return st;
  std::string rkey = RecordKey(domain);
  std::string value;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = db_->Get(VerifiedReads(), rkey, &value);
  if (!s.ok() && !s.IsNotFound() && !s.IsCorruption())
    return FromLevelDb(s, "reading the record for " + domain);
  // As in DoPut: a record LevelDB cannot read is not in the count, so what replaces it is
  // counted as new; one that reads but does not decode is counted, and decided on as none.
  const bool counted = s.ok();
  std::optional<Record> current;
  if (s.IsCorruption()) {
    (void)Damaged(domain, "found while updating it: " + s.ToString(), true);
  } else if (s.ok()) {
    current.emplace();
    st = values_.DecodeHead(value, &*current);
    if (!st.ok()) {
      (void)Damaged(domain, "its head does not decode: " + st.message(), false);
      current.reset();
    }
  }
  *out = decide(current ? &*current : nullptr);
  if (!out->put) return Status::OK();

  leveldb::WriteBatch batch;
  if (out->archive_current && current && history_max > 0) {
    std::vector<std::string> keys;
    leveldb::Status ls;
    ListHistory(db_.get(), domain, &keys, nullptr, &ls);
    if (ls.IsCorruption())
      DamageWhileIterating("reading the history of " + domain, ls);
    else if (!ls.ok())
      return FromLevelDb(ls, "reading the history of " + domain);
    uint64_t next = keys.empty() ? 0 : HistorySeq(keys.back()) + 1;
    Record archived = std::move(*current);
    archived.refresh_failures = 0;  // the back-off belonged to the current record, not to history
    archived.refresh_after_ms = 0;
    batch.Put(HistoryKey(domain, next), values_.EncodeHead(archived));
    // Oldest first: with the new version there are keys.size() + 1.
    size_t drop = keys.size() + 1 > history_max ? keys.size() + 1 - history_max : 0;
    for (size_t i = 0; i < drop; ++i) batch.Delete(keys[i]);
  }
  st = WriteRecord(&batch, domain, *out->put, out->keep_chain, counted);
  if (!st.ok()) return st;
  out->put->chain.clear();
  return Status::OK();
}

Status RecordStore::DoGetHistory(int self, const std::string& domain, size_t count,
                                 std::vector<Record>* out) {
  Status st = CheckDomain(domain);
  if (!st.ok()) return st;
  st = CheckOpen(self);
  if (!st.ok()) return st;
  std::vector<std::string> keys, values;
  reads_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s;
  ListHistory(db_.get(), domain, &keys, &values, &s);
  if (s.IsCorruption())
    DamageWhileIterating("reading the history of " + domain, s);
  else if (!s.ok())
    return FromLevelDb(s, "reading the history of " + domain);
  for (size_t i = values.size(); i-- > 0 && out->size() < count;) {
    Record rec;
    // A version that does not decode is left out, as a damaged record is.
    if (!values_.DecodeHead(values[i], &rec).ok()) {
      Log(Severity::kWarning, "record store: " + keys[i] + " does not decode; left out");
      continue;
    }
    out->push_back(std::move(rec));
  }
  return Status::OK();
}

Status RecordStore::DeleteHistoryInto(const std::string& domain, leveldb::WriteBatch* batch) {
  std::vector<std::string> keys;
  leveldb::Status s;
  ListHistory(db_.get(), domain, &keys, nullptr, &s);
  for (const std::string& k : keys) batch->Delete(k);
  if (s.IsCorruption()) {
    DamageWhileIterating("reading the history of " + domain, s);
    return Status::OK();
  }
  return FromLevelDb(s, "reading the history of " + domain);
}

}  // namespace storage
