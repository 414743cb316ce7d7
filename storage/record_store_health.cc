// The record store's health: the writable / read-only / unavailable state and the way back from
// it, damaged records, and recounts. Operations: record_store.cc; opening: record_store_open.cc.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>

#include "storage/key_hash.h"
#include "storage/key_layout.h"
#include "storage/record_codec.h"
#include "storage/record_store.h"
#include "storage/record_store_internal.h"
#include "storage/store_directory.h"
#include "storage/worker_pool.h"
#include "util/enum_names.h"

namespace storage {
namespace {

using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

// A read-only store tries to become writable again at most this often (when a write arrives).
constexpr int64_t kRecoveryIntervalMs = 1000;
// ... and only when the disk has this much room besides twice its write-ahead logs (which the
// attempt writes to a table).
constexpr uint64_t kRecoveryHeadroomBytes = 1u << 20;
// A recount reads every record: after one, damage found within this long only marks one as owed.
constexpr int64_t kRecountIntervalMs = 60 * 1000;
// Domains reported damaged are remembered (so each is reported once) up to this many per shard.
constexpr size_t kMaxReportedPerShard = 4096;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

}  // namespace

const char* StoreStateName(StoreState state) {
  static constexpr util::EnumNames<StoreState::kUnavailable> kNames(
      {"writable", "read_only", "unavailable"}, "unknown");
  return kNames.Name(state).data();
}

StoreHealth RecordStore::health() const {
  StoreHealth h;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    h.state = state_.load(std::memory_order_relaxed);
    h.reason = state_reason_;
    h.since_ms = state_since_ms_;
  }
  h.damaged_records = damaged_records_.load(std::memory_order_relaxed);
  h.recounts = recounts_.load(std::memory_order_relaxed);
  return h;
}

// ---- The state ----

Status RecordStore::CheckOpen(int self) {
  if (db_) return Status::OK();
  TryRecover(self);
  if (db_) return Status::OK();
  std::lock_guard<std::mutex> lock(state_mu_);
  return Status::IOError("the record store is unavailable (" + state_reason_ +
                         "); it is opened again once the directory can be written to");
}

Status RecordStore::CheckWritable(int self) {
  if (recount_owed_.load(std::memory_order_relaxed)) RequestRecount();
  if (writable()) return Status::OK();
  TryRecover(self);
  if (writable()) return Status::OK();
  std::lock_guard<std::mutex> lock(state_mu_);
  if (state_ == StoreState::kUnavailable)
    return Status::IOError("the record store is unavailable (" + state_reason_ +
                           "); it is opened again once the directory can be written to");
  if (needs_repair_)
    return Status::IOError("the record store is read-only: LevelDB found damaged data (" +
                           state_reason_ +
                           "); stop the server and run whois-proxy --repair to rebuild it");
  return Status::IOError("the record store is read-only since a write failed (" + state_reason_ +
                         "); writes resume by themselves once the directory can be written to "
                         "and has room again");
}

Status RecordStore::WriteFailed(const leveldb::Status& s, const std::string& context) {
  // A write fails with Corruption only when LevelDB's compaction found damaged data: its error is
  // then sticky, and a reopened database would run into the same data again.
  if (s.IsCorruption()) needs_repair_ = true;
  EnterState(StoreState::kReadOnly, s.ToString());
  return FromLevelDb(s, context);
}

void RecordStore::EnterState(StoreState state, const std::string& reason) {
  std::lock_guard<std::mutex> lock(state_mu_);
  StoreState old = state_.load(std::memory_order_relaxed);
  if (old == state) return;  // the first reason stays
  int64_t now = NowMs();
  int64_t lasted = now - state_since_ms_;
  state_reason_ = state == StoreState::kWritable ? std::string() : reason;
  state_since_ms_ = now;
  state_.store(state, std::memory_order_release);
  if (state != StoreState::kWritable) next_recovery_ms_ = now + kRecoveryIntervalMs;
  const std::string& dir = options_.dir;
  switch (state) {
    case StoreState::kWritable:
      Log(Severity::kInfo, "the record store in " + dir + " is writable again (it was " +
                               StoreStateName(old) + " for " + Seconds(lasted) + ")");
      break;
    case StoreState::kReadOnly:
      if (needs_repair_)
        Log(Severity::kError, "the record store in " + dir +
                                  " is read-only from now on: LevelDB found damaged data (" +
                                  reason +
                                  "). Reads go on; writes fail until the store is repaired: stop "
                                  "the server and run whois-proxy --repair");
      else
        Log(Severity::kWarning,
            "the record store in " + dir + " is read-only from now on: " + reason +
                ". Reads go on; writes fail until the directory can be written to and has room "
                "again, which is checked when a write arrives");
      break;
    case StoreState::kUnavailable:
      Log(Severity::kError, "the record store in " + dir +
                                " is unavailable: it was closed to recover and cannot be opened "
                                "again (" +
                                reason + "); another attempt is made when an operation arrives");
      break;
  }
}

void RecordStore::TryRecover(int self) {
  if (NowMs() < next_recovery_ms_.load()) return;
  std::unique_lock<std::mutex> attempt(recovery_mu_, std::try_to_lock);
  if (!attempt.owns_lock() || closing_ || writable()) return;
  next_recovery_ms_ = NowMs() + kRecoveryIntervalMs;
  if (needs_repair_) return;
  // Closing the database to reopen it when the directory cannot take writes would leave
  // nothing to read from: only try when it can.
  const std::string& dir = options_.dir;
  if (access(dir.c_str(), W_OK | X_OK) != 0) return;
  DirectoryContents contents;
  if (!InspectDirectory(dir, &contents).ok()) return;
  std::optional<uint64_t> free = FreeBytes(dir);
  if (free && *free < kRecoveryHeadroomBytes + 2 * contents.log_bytes) return;
  // Recover's outcome is the state it leaves the store in (and logs); nobody waits for it here.
  RunExclusive(self, [this] { (void)Recover(); });
  // A reopened database dropped the mirror (OpenLevelDb): build it again from the new one.
  if (mirror_ && mirror_->stats().state == HeadMirror::State::kOff) StartMirrorBuild();
}

void RecordStore::RunExclusive(int self, const std::function<void()>& fn) {
  struct Hold {
    std::mutex mu;
    std::condition_variable cv;
    int arrived = 0;        // guarded by mu
    bool released = false;  // guarded by mu
  };
  auto hold = std::make_shared<Hold>();
  int others = workers_ ? workers_->size() - 1 : 0;
  for (int w = 0; w < others + 1; ++w) {
    if (w == self) continue;
    // Queued like any operation: the worker finishes what it is doing, then waits here, and
    // what is queued behind runs after the recovery, in order.
    workers_->Submit(w, [hold](bool) {
      std::unique_lock<std::mutex> lock(hold->mu);
      ++hold->arrived;
      hold->cv.notify_all();
      hold->cv.wait(lock, [&] { return hold->released; });
    });
  }
  {
    std::unique_lock<std::mutex> lock(hold->mu);
    hold->cv.wait(lock, [&] { return hold->arrived == others; });
  }
  fn();
  {
    std::lock_guard<std::mutex> lock(hold->mu);
    hold->released = true;
  }
  hold->cv.notify_all();
}

leveldb::Status RecordStore::WriteLayoutProbe() {
  leveldb::WriteBatch batch;
  const std::string_view magic = LayoutMagic();
  batch.Put(leveldb::Slice(kLayoutKey.data(), kLayoutKey.size()),
            leveldb::Slice(magic.data(), magic.size()));
  // The upgrade an open could not write (see UpgradeLayout): the repacking starts at the next
  // open, from the position written here.
  if (upgrade_owed_) batch.Put(RepackKey(0), "");
  leveldb::WriteOptions synced;
  synced.sync = true;
  leveldb::Status s = Commit(synced, &batch);
  if (s.ok() && upgrade_owed_) {
    upgrade_owed_ = false;
    Log(Severity::kInfo, "the record store in " + options_.dir +
                             " is now of layout 2 (packed values); the values written before "
                             "are repacked from the next start");
  }
  return s;
}

Status RecordStore::Recover() {
  const std::string& dir = options_.dir;
  if (db_) {
    // First, while the database is open: make LevelDB start a new write-ahead log and write its
    // memtable, which holds every acknowledged write, to a table. The log a write failed in may
    // end in a torn record, and LevelDB's log writer may have lost its place in the file after
    // the failure, so replaying that log could drop writes acknowledged after it.
    // A directory that cannot be listed reads as empty: no new log is seen, so it is reopened.
    DirectoryContents before, after;
    (void)InspectDirectory(dir, &before);
    const leveldb::Slice past_end(internal::kPastAllKeys.data(), internal::kPastAllKeys.size());
    db_->CompactRange(&past_end, &past_end);
    (void)InspectDirectory(dir, &after);
    // A new log means LevelDB switched; a background error (sticky in LevelDB) stops it before.
    if (after.newest_log > before.newest_log) {
      leveldb::Status s = WriteLayoutProbe();
      if (s.ok()) {
        EnterState(StoreState::kWritable, "");
        return Status::OK();
      }
    }
    // Only a new DB object clears LevelDB's background error.
    std::unique_ptr<leveldb::DB> old;
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      old = std::move(db_);
    }
  }
  bool salvaged = false;
  Status st = OpenOrSalvage(false, &salvaged);
  if (st.ok()) {
    // A recount that fails leaves the counts as they were; the store is usable either way.
    if (salvaged) (void)RecountAtOpen(nullptr, nullptr);
    leveldb::Status s = WriteLayoutProbe();
    if (s.ok()) {
      EnterState(StoreState::kWritable, "");
      return Status::OK();
    }
    EnterState(StoreState::kReadOnly, s.ToString());
    return FromLevelDb(s, "writing to " + dir);
  }
  // Reads at least: LevelDB can open without writing if it reuses its log and manifest.
  if (OpenLevelDb(false, true, true).ok())
    EnterState(StoreState::kReadOnly, st.message());
  else
    EnterState(StoreState::kUnavailable, st.message());
  return st;
}

// ---- Damage and counts ----

Status RecordStore::Damaged(const std::string& domain, const std::string& detail,
                            bool leveldb_damage) {
  auto& seen = reported_[CountShardFor(KeyHash(domain))];
  if (seen.size() < kMaxReportedPerShard && seen.insert(domain).second) {
    damaged_records_.fetch_add(1, std::memory_order_relaxed);
    Log(Severity::kWarning, "the stored record of " + domain + " in " + options_.dir +
                                " is damaged (" + detail +
                                "): it is treated as absent, so a GET resolves it again and "
                                "stores it anew, and DEL or SET replace it");
    // The count still includes a record LevelDB cannot read; a recount leaves it out.
    if (leveldb_damage) RequestRecount();
  }
  return Status::NotFound("the stored record of " + domain + " is damaged");
}

void RecordStore::DamageWhileIterating(const std::string& what, const leveldb::Status& s) {
  // Reported when it asks for a recount, so at most once a minute however often it is met.
  if (recount_queued_.load() || recount_owed_.load()) return;
  Log(Severity::kWarning, what + " in " + options_.dir + " passed over damaged data (" +
                              s.ToString() + "); the records in it are treated as absent");
  RequestRecount();
}

void RecordStore::RequestRecount() {
  int64_t now = NowMs();
  if (now - last_recount_ms_.load() < kRecountIntervalMs) {
    recount_owed_ = true;
    return;
  }
  if (recount_queued_.exchange(true)) return;
  recount_owed_ = false;
  last_recount_ms_ = now;
  StartRecount();
}

// One worker counts every shard as of a snapshot; each shard's owner then applies the difference
// between that count and the shard's stored counter in the same snapshot. Writes the owner made
// since the snapshot are in its counter already, and stay counted.
void RecordStore::StartRecount() {
  int w =
      static_cast<int>(next_scan_worker_.fetch_add(1) % static_cast<uint64_t>(workers_->size()));
  workers_->Submit(w, [this, w](bool cancelled) {
    if (cancelled || !CheckOpen(w).ok()) {
      recount_queued_ = false;
      return;
    }
    uint64_t counts[kCountShards], stored[kCountShards];
    bool damaged = false;
    const leveldb::Snapshot* snapshot = db_->GetSnapshot();
    Status st = CountRecords(snapshot, counts, stored, &damaged);
    db_->ReleaseSnapshot(snapshot);
    recount_queued_ = false;
    if (!st.ok()) {
      Log(Severity::kWarning,
          "recounting the records in " + options_.dir + " failed: " + st.ToString());
      return;
    }
    recounts_.fetch_add(1, std::memory_order_relaxed);
    auto fixes = std::make_shared<CountFixes>();
    uint64_t found = 0, claimed = 0;
    for (int n = 0; n < kCountShards; ++n) {
      found += counts[n];
      CountFix& f = (*fixes)[n];
      if (stored[n] == kUnreadableCount) {
        // The recount's own figure is the best there is.
        f = {true, true, static_cast<int64_t>(counts[n])};
        continue;
      }
      claimed += stored[n];
      if (counts[n] != stored[n])
        f = {true, false, static_cast<int64_t>(counts[n]) - static_cast<int64_t>(stored[n])};
    }
    if (found != claimed)
      Log(Severity::kWarning, "recounted the records in " + options_.dir + ": " +
                                  std::to_string(found) + " are readable, the count said " +
                                  std::to_string(claimed) + "; the count is corrected");
    for (int v = 0; v < workers_->size(); ++v)
      workers_->Submit(v, [this, v, fixes](bool cancelled_apply) {
        if (!cancelled_apply && db_) ApplyRecount(v, *fixes);
      });
  });
}

void RecordStore::ApplyRecount(int worker, const CountFixes& fixes) {
  leveldb::WriteBatch batch;
  uint64_t before = 0, after = 0;
  uint64_t next[kCountShards] = {};
  bool any = false;
  for (int n = worker; n < kCountShards; n += workers_->size()) {
    const CountFix& f = fixes[n];
    if (!f.set) continue;
    any = true;
    before += counts_[n];
    if (f.absolute)
      next[n] = static_cast<uint64_t>(f.value);
    else if (f.value < 0 && static_cast<uint64_t>(-f.value) > counts_[n])
      next[n] = 0;
    else
      next[n] = counts_[n] + static_cast<uint64_t>(f.value);
    after += next[n];
    batch.Put(CountKey(n), EncodeCounter(next[n]));
  }
  if (!any) return;
  if (writable()) {
    leveldb::WriteOptions wo;
    wo.sync = options_.sync_writes;
    writes_.fetch_add(1, std::memory_order_relaxed);
    leveldb::Status s = Commit(wo, &batch);
    // WriteFailed logs and makes the store read-only; no caller waits for this background write.
    if (!s.ok()) (void)WriteFailed(s, "writing the recounted record counts");
  }
  // In memory in any case: the count served must agree with what Scan finds.
  for (int n = worker; n < kCountShards; n += workers_->size())
    if (fixes[n].set) counts_[n] = next[n];
  if (after >= before)
    record_count_.fetch_add(after - before, std::memory_order_relaxed);
  else
    record_count_.fetch_sub(before - after, std::memory_order_relaxed);
}

Status RecordStore::CountRecords(const leveldb::Snapshot* snapshot, uint64_t counts[],
                                 uint64_t stored[], bool* damaged) {
  leveldb::ReadOptions ro = VerifiedReads(/*fill_cache=*/false);
  ro.snapshot = snapshot;
  for (int n = 0; n < kCountShards; ++n) {
    counts[n] = 0;
    std::string value;
    leveldb::Status s = db_->Get(ro, CountKey(n), &value);
    if (s.IsNotFound()) {
      stored[n] = 0;
    } else if (!s.ok() || !DecodeCounter(value, &stored[n]).ok()) {
      if (!s.ok() && !s.IsCorruption()) return FromLevelDb(s, "reading " + CountKey(n));
      stored[n] = kUnreadableCount;
    }
  }
  reads_.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(leveldb::Slice(kRecordPrefix.data(), kRecordPrefix.size())); it->Valid();
       it->Next()) {
    leveldb::Slice key = it->key();
    if (!StartsWith(key, kRecordPrefix)) break;
    std::string_view domain(key.data() + kRecordPrefix.size(), key.size() - kRecordPrefix.size());
    ++counts[CountShardFor(KeyHash(domain))];
  }
  if (it->status().IsCorruption())
    *damaged = true;
  else if (!it->status().ok())
    return FromLevelDb(it->status(), "counting records");
  return Status::OK();
}

}  // namespace storage
