// RecordStore's repacking pass: a store that packs its values (value_packer.h) rewrites packed,
// in the background, the values a store before packing wrote (layout 1), so that LevelDB, whose
// blocks it leaves uncompressed, does not keep them at their full size. Each worker passes over
// every value key and rewrites only the domains it owns, like every other write of them, so a
// newer value written meanwhile is never replaced by an older one. Its position is written with
// each step (m:repack:<worker>); a pass stopped (a restart, a read-only store) resumes at the
// next open.
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "storage/key_hash.h"
#include "storage/key_layout.h"
#include "storage/record_codec.h"
#include "storage/record_store.h"
#include "storage/record_store_internal.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

// Keys looked at per step: a step holds its worker for about a millisecond, so the operations
// queued behind it wait no longer than behind one slow write.
constexpr int kRepackKeysPerStep = 256;

// The prefixes of value keys, in key order.
constexpr std::array<std::string_view, 3> kValuePrefixes = {kChainPrefix, kHistoryPrefix,
                                                            kRecordPrefix};

// The first value prefix at or after `key`'s place that `key` does not fall in; empty if none.
std::string_view NextValuePrefix(std::string_view key) {
  for (std::string_view p : kValuePrefixes)
    if (key < p) return p;
  return {};
}

bool IsValueKey(std::string_view key) {
  return std::any_of(kValuePrefixes.begin(), kValuePrefixes.end(),
                     [&](std::string_view p) { return key.starts_with(p); });
}

}  // namespace

void RecordStore::StartRepack() {
  if (!values_.packs() || !writable()) return;
  // The positions kept, written again one per worker of this run (the last run may have had
  // another number of workers). The pass with the least done decides: values behind another's
  // position are packed already and are passed over again quickly.
  std::optional<std::string> from;
  leveldb::WriteBatch batch;
  {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads()));
    for (it->Seek(leveldb::Slice(kRepackPrefix.data(), kRepackPrefix.size()));
         it->Valid() && StartsWith(it->key(), kRepackPrefix); it->Next()) {
      std::string at = it->value().ToString();
      if (!from || at < *from) from = std::move(at);
      batch.Delete(it->key());
    }
    if (!it->status().ok()) {
      Log(Severity::kWarning, "record store: cannot read the repacking positions in " +
                                  options_.dir + " (" + it->status().ToString() +
                                  "); repacking is tried again at the next start");
      return;
    }
  }
  if (!from) return;  // nothing owed
  const int workers = workers_->size();
  for (int w = 0; w < workers; ++w) batch.Put(RepackKey(w), *from);
  leveldb::WriteOptions wo;
  wo.sync = true;
  if (leveldb::Status s = Commit(wo, &batch); !s.ok()) {
    Log(Severity::kWarning, "record store: cannot start repacking the values in " + options_.dir +
                                " written before packing (" + s.ToString() +
                                "); it is tried again at the next start");
    return;
  }
  Log(Severity::kInfo, "record store: repacking the values in " + options_.dir +
                           " written before packing, in the background");
  repack_position_.assign(static_cast<size_t>(workers), *from);
  repack_passes_.store(workers, std::memory_order_release);
  for (int w = 0; w < workers; ++w) RepackStep(w);
}

void RecordStore::RepackStep(int self) {
  workers_->Submit(self, [this, self](bool cancelled) {
    bool done = false;
    Status st = cancelled ? internal::Closing() : DoRepackStep(self, &done);
    if (st.ok() && !done) return RepackStep(self);
    if (repack_passes_.fetch_sub(1, std::memory_order_acq_rel) == 1 && st.ok())
      Log(Severity::kInfo, "record store: repacked " +
                               std::to_string(repacked_.load(std::memory_order_relaxed)) +
                               " values in " + options_.dir);
    else if (!st.ok() && !cancelled)
      Log(Severity::kWarning,
          "record store: repacking stopped (" + st.ToString() + "); it resumes at the next start");
  });
}

Status RecordStore::DoRepackStep(int self, bool* done) {
  Status st = CheckWritable(self);
  if (!st.ok()) return st;
  std::string& position = repack_position_[static_cast<size_t>(self)];
  leveldb::ReadOptions ro = VerifiedReads(/*fill_cache=*/false);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
  const std::string_view first = position.empty() ? kValuePrefixes.front() : position;
  it->Seek(leveldb::Slice(first.data(), first.size()));
  if (it->Valid() && !position.empty() && it->key() == leveldb::Slice(position)) it->Next();

  leveldb::WriteBatch batch;
  uint64_t rewritten = 0;
  *done = true;
  for (int looked = 0; it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!IsValueKey(key)) {
      const std::string_view next = NextValuePrefix(key);
      if (next.empty()) break;
      it->Seek(leveldb::Slice(next.data(), next.size()));
      if (!it->Valid()) break;
    }
    if (looked++ == kRepackKeysPerStep) {
      *done = false;
      break;
    }
    const std::string_view k(it->key().data(), it->key().size());
    position.assign(k);
    const std::string_view domain = DomainOfValueKey(k);
    if (domain.empty() || WorkerFor(KeyHash(domain)) != self) continue;
    const std::string_view value(it->value().data(), it->value().size());
    std::string packed;
    if (k.starts_with(kChainPrefix)) {
      std::vector<RawReply> chain;
      if (value.empty() || static_cast<uint8_t>(value[0]) == kPackedChainVersion ||
          !values_.DecodeChain(value, &chain).ok())
        continue;  // packed already, or damaged (left for a reader to report)
      packed = values_.EncodeChain(chain);
    } else {
      Record rec;
      if (value.empty() || static_cast<uint8_t>(value[0]) == kPackedHeadVersion ||
          !values_.DecodeHead(value, &rec).ok())
        continue;
      packed = values_.EncodeHead(rec);
    }
    batch.Put(it->key(), packed);
    ++rewritten;
  }
  if (!it->status().ok()) {
    // A damaged block ends the pass: what it did not reach stays unpacked, readable as it is.
    if (!it->status().IsCorruption()) return FromLevelDb(it->status(), "repacking values");
    DamageWhileIterating("repacking values", it->status());
    *done = true;
  }
  it.reset();
  if (*done)
    batch.Delete(RepackKey(self));
  else
    batch.Put(RepackKey(self), position);
  writes_.fetch_add(1, std::memory_order_relaxed);
  leveldb::Status s = Commit(leveldb::WriteOptions(), &batch);
  if (!s.ok()) return WriteFailed(s, "repacking values");
  repacked_.fetch_add(rewritten, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace storage
