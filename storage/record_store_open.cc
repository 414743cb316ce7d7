// How a RecordStore opens its directory, salvages a damaged write-ahead log, checks its layout
// and counts, repairs a damaged database, and closes. Operations: record_store.cc; the state
// and recovery: record_store_health.cc.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <filesystem>
#include <system_error>

#include "storage/info_log.h"
#include "storage/key_layout.h"
#include "storage/pread_env.h"
#include "storage/record_codec.h"
#include "storage/record_store.h"
#include "storage/record_store_internal.h"
#include "storage/store_directory.h"
#include "storage/worker_pool.h"

namespace storage {
namespace {

using internal::FromLevelDb;
using internal::StartsWith;
using internal::VerifiedReads;

constexpr std::string_view kInUse = "is in use by another process (LOCK held)";

std::string RepairHint(const std::string& dir) {
  return ". `whois-proxy --repair --dir " + dir +
         "` rebuilds the store from the files it holds and says what it saved";
}

// Entries in <dir>/lost, where LevelDB's repair and our salvage keep the files they replace.
int LostEntries(const std::string& dir) {
  std::error_code ec;
  int n = 0;
  for (std::filesystem::directory_iterator it(dir + "/lost", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

// Copies the write-ahead logs of `dir` into <dir>/lost (as LevelDB's repair does with the files
// it replaces) before a salvage drops their damaged records. Returns the copies made.
std::vector<std::filesystem::path> KeepLogs(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> kept;
  std::error_code ec;
  fs::create_directories(dir + "/lost", ec);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".log") continue;
    fs::path to = fs::path(dir) / "lost" / it->path().filename();
    std::error_code copy_ec;
    if (fs::copy_file(it->path(), to, fs::copy_options::overwrite_existing, copy_ec))
      kept.push_back(to);
  }
  return kept;
}

// "1 record", "3 records": `what` is the plural, which an 's' ends.
std::string Count(uint64_t n, std::string what) {
  if (n == 1 && what.ends_with('s')) what.pop_back();
  return std::to_string(n) + " " + what;
}

}  // namespace

RecordStore::RecordStore(const StoreOptions& options, PostFn post)
    : options_(options),
      post_(std::move(post)),
      values_(options.head_dictionaries, options.head_dictionary, internal::kHeadPackLevel) {
  if (options.head_mirror)
    mirror_ = std::make_unique<HeadMirror>(
        (std::filesystem::path(options.dir) / internal::kMirrorFileName).string());
}

RecordStore::~RecordStore() {
  {
    std::lock_guard<std::mutex> lock(recovery_mu_);
    closing_ = true;
  }
  // Workers first: they use the DB. Queued operations are completed with Closing().
  if (workers_) workers_->Stop();
  workers_.reset();
  if (db_ && writable()) {
    // The memtable to a table, so that the write-ahead log is empty at rest: a log lost or cut
    // short after a clean stop loses nothing, and the next start replays nothing.
    const leveldb::Slice past_end(internal::kPastAllKeys.data(), internal::kPastAllKeys.size());
    db_->CompactRange(&past_end, &past_end);
  }
  db_.reset();
}

Status RecordStore::Open(const StoreOptions& options, PostFn post,
                         std::unique_ptr<RecordStore>* out) {
  if (options.dir.empty())
    return Status::InvalidArgument("no directory given for the record store");
  if (!post) return Status::InvalidArgument("no post function given to the record store");
  std::unique_ptr<RecordStore> store(new RecordStore(options, std::move(post)));
  Status st = store->OpenDb(nullptr);
  if (!st.ok()) return st;
  store->workers_ = std::make_unique<WorkerPool>(options.threads < 1 ? 1 : options.threads,
                                                 options.on_worker_idle);
  store->StartRepack();
  store->StartMirrorBuild();
  *out = std::move(store);
  return Status::OK();
}

leveldb::Options RecordStore::LevelDbOptions() {
  if (!block_cache_) block_cache_.reset(leveldb::NewLRUCache(options_.block_cache_bytes));
  if (!filter_policy_)
    filter_policy_.reset(leveldb::NewBloomFilterPolicy(internal::kBloomBitsPerKey));
  leveldb::Options o;
  o.block_cache = block_cache_.get();
  o.filter_policy = filter_policy_.get();
  o.write_buffer_size = options_.write_buffer_bytes;
  o.max_open_files = internal::kMaxOpenFiles;
  o.max_file_size = internal::kMaxTableFileBytes;
  // 16 KiB blocks instead of LevelDB's 4 KiB: a record with its raw chain is ~4 KiB, so small
  // blocks held about one record each, and compaction (which rewrites every byte many times as
  // the database grows) spent its time on per-block work; bench/miss_path.sh rounds 2-4 cost
  // 10-15% less CPU per lookup.
  o.block_size = internal::kBlockBytes;
  if (values_.packs()) {
    // Values compressed one by one (value_packer.h) leave Snappy little to gain but a whole
    // block to decompress on every read of one record; and a block read for one ~350-byte head
    // need not be 16 KiB.
    o.compression = leveldb::kNoCompression;
    o.block_size = internal::kPackedBlockBytes;
  }
  o.env = PreadEnv();  // no mmap: the process's memory must not grow with the database
  o.info_log = info_log_.get();
  // Checksums of every block compaction reads and of every table's index: damage stops LevelDB
  // instead of being copied into new tables with fresh checksums, where nothing could find it.
  o.paranoid_checks = true;
  return o;
}

Status RecordStore::OpenLevelDb(bool create, bool paranoid, bool reuse_logs) {
  const std::string& dir = options_.dir;
  leveldb::Options o = LevelDbOptions();
  o.create_if_missing = create;
  o.paranoid_checks = paranoid;
  o.reuse_logs = reuse_logs;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(o, dir, &raw);
  if (!s.ok()) {
    // LevelDB reports a held lock as "IO error: lock <dir>/LOCK: ..." (another process holds
    // the fcntl lock, or this process already has the directory open).
    if (s.IsIOError() && s.ToString().find("/LOCK") != std::string::npos)
      return Status::IOError("the database directory " + dir + " " + std::string(kInUse));
    return FromLevelDb(s, "LevelDB cannot open the database in " + dir);
  }
  std::lock_guard<std::mutex> lock(db_mu_);
  db_.reset(raw);
  // What the mirror holds was read from the database this replaces (a salvage or a repair may
  // have changed what is in it): reads go to LevelDB until the next build.
  if (mirror_) mirror_->Drop();
  return Status::OK();
}

Status RecordStore::OpenOrSalvage(bool create, bool* salvaged) {
  const std::string& dir = options_.dir;
  Status st = OpenLevelDb(create, /*paranoid=*/true, /*reuse_logs=*/false);
  if (create || !st.IsCorruption()) return st;
  // With paranoid checks LevelDB refuses a write-ahead log holding a record that fails its
  // checksum. Without them it skips such records (reporting each to its info log), writes the
  // rest to a table and starts a new log. Then it opens with checks again. The damaged logs are
  // kept first.
  std::vector<std::filesystem::path> kept = KeepLogs(dir);
  info_log_->Reset();
  Status salvage = OpenLevelDb(false, /*paranoid=*/false, /*reuse_logs=*/false);
  if (salvage.ok()) {
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      db_.reset();
    }
    salvage = OpenLevelDb(false, /*paranoid=*/true, /*reuse_logs=*/false);
  }
  if (!salvage.ok()) {
    std::error_code ec;
    for (const auto& copy : kept) std::filesystem::remove(copy, ec);
    std::filesystem::remove(dir + "/lost", ec);  // only if empty: nothing else was there
    return Status::Corruption(st.message() + RepairHint(dir));
  }
  *salvaged = true;
  return Status::OK();
}

Status RecordStore::OpenDb(RepairReport* repair) {
  const std::string& dir = options_.dir;
  DirectoryContents contents;
  Status st = InspectDirectory(dir, &contents);
  if (!st.ok()) return st;
  using Kind = DirectoryContents::Kind;
  if (contents.kind == Kind::kNotADatabase)
    return Status::Corruption("the directory " + dir + " holds " + contents.Describe() +
                              " but no LevelDB database (it has no CURRENT file), so it was "
                              "left untouched. If it is a record store whose CURRENT file was "
                              "lost, `whois-proxy --repair --dir " +
                              dir +
                              "` rebuilds the store from the files it holds and says what it "
                              "saved; otherwise give a new or empty directory");
  const bool create = contents.kind == Kind::kAbsent || contents.kind == Kind::kEmpty;
  if (contents.kind == Kind::kAbsent) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IOError("cannot create the directory " + dir + ": " + ec.message());
  }
  if (!info_log_) info_log_ = std::make_unique<InfoLog>(PreadEnv(), dir);

  bool salvaged = false;
  st = OpenOrSalvage(create, &salvaged);
  std::string full_disk;
  if (st.IsIOError() && !create && st.message().find(kInUse) == std::string::npos) {
    // A full disk: to open, LevelDB writes a new manifest (and a table if it replays a log).
    // Reusing its log and manifest it can open without writing, so reads go on.
    if (OpenLevelDb(false, /*paranoid=*/true, /*reuse_logs=*/true).ok()) {
      full_disk = st.message();
      st = Status::OK();
    }
  }
  if (!st.ok()) return st;

  bool layout_restored = false;
  st = CheckLayout(repair != nullptr, &layout_restored);
  bool unreadable_count = false;
  if (st.ok()) st = LoadCounts(&unreadable_count);
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(db_mu_);
    db_.reset();
    return st;
  }
  if (!full_disk.empty()) EnterState(StoreState::kReadOnly, full_disk);

  uint64_t claimed = record_count_.load(), found = claimed;
  if (salvaged || unreadable_count || repair) {
    st = RecountAtOpen(&claimed, &found);
    if (!st.ok()) return st;
  }
  if (salvaged) {
    std::string msg = "the write-ahead log of the record store in " + dir +
                      " was damaged: LevelDB dropped " +
                      Count(info_log_->dropped_bytes(), "bytes") +
                      " that failed their checksums while replaying it (the log as it was is "
                      "kept in " +
                      dir + "/lost). The count said " + Count(claimed, "records") + " and " +
                      std::to_string(found) + " are readable: ";
    msg += claimed > found ? "at least " + Count(claimed - found, "records") +
                                 (claimed - found == 1 ? " was lost" : " were lost")
                           : std::string("no loss shows in the count");
    for (const auto& line : info_log_->damage_messages()) msg += "; LevelDB: " + line;
    Log(Severity::kError, msg);
  } else if (unreadable_count && !repair) {
    Log(Severity::kWarning,
        "the record count in " + dir + " was unreadable; recounted: " + Count(found, "records"));
  }
  if (repair) {
    repair->layout_restored = layout_restored;
    repair->counted = claimed;
    repair->records = found;
  }
  return Status::OK();
}

Status RecordStore::CheckLayout(bool repair, bool* restored) {
  const std::string& dir = options_.dir;
  const leveldb::Slice key(kLayoutKey.data(), kLayoutKey.size());
  std::string layout;
  leveldb::Status s = db_->Get(VerifiedReads(), key, &layout);
  if (s.ok()) {
    if (layout == kPackedLayoutMagic) {
      if (!values_.packs())
        return Status::Corruption("the record store in " + dir +
                                  " holds packed values (layout 2), and it was opened without "
                                  "the dictionary to read them");
      return Status::OK();
    }
    // A store before packing: from now on it is written packed, and what it holds is repacked.
    if (layout == kLayoutMagic) return values_.packs() ? UpgradeLayout() : Status::OK();
    if (layout.starts_with(kLayoutMagicPrefix))
      return Status::Corruption("the record store in " + dir + " has layout version " +
                                layout.substr(kLayoutMagicPrefix.size()) +
                                ", which this build does not know (it knows 1 and 2)");
    return Status::Corruption("the directory " + dir +
                              " holds a LevelDB database that is not a ds9 record store (m:layout "
                              "is '" +
                              layout.substr(0, 64) + "')");
  }
  if (!s.IsNotFound()) {
    if (s.IsCorruption())
      return Status::Corruption("the layout key of the record store in " + dir + " is damaged (" +
                                s.ToString() + ")" + RepairHint(dir));
    return FromLevelDb(s, "cannot read the layout of " + dir);
  }
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(VerifiedReads()));
  it->SeekToFirst();
  if (it->Valid()) {
    // A repair may lose the block that held m:layout: the records themselves say whose they are.
    bool ours = false;
    if (repair) {
      it->Seek(leveldb::Slice(kRecordPrefix.data(), kRecordPrefix.size()));
      Record rec;
      ours =
          it->Valid() && StartsWith(it->key(), kRecordPrefix) &&
          values_.DecodeHead(std::string_view(it->value().data(), it->value().size()), &rec).ok();
    }
    if (!ours)
      return Status::Corruption("the directory " + dir +
                                " holds a LevelDB database that is not a ds9 record store (it "
                                "has no m:layout key); refusing to use it");
    *restored = true;
    // Which layout it had is lost with the key: whatever is not packed yet is repacked.
    if (values_.packs()) return UpgradeLayout();
  } else if (!it->status().ok()) {
    return FromLevelDb(it->status(), "cannot read " + dir);
  }
  leveldb::WriteOptions wo;
  wo.sync = true;
  const std::string_view magic = LayoutMagic();
  s = db_->Put(wo, key, leveldb::Slice(magic.data(), magic.size()));
  if (!s.ok()) return FromLevelDb(s, "cannot initialise the record store in " + options_.dir);
  return Status::OK();
}

std::string_view RecordStore::LayoutMagic() const {
  return values_.packs() ? kPackedLayoutMagic : kLayoutMagic;
}

Status RecordStore::UpgradeLayout() {
  // One synced batch: the layout that lets packed values in, and the pass that repacks the
  // values already there (resumed at the next open if this run ends before it does).
  leveldb::WriteBatch batch;
  batch.Put(leveldb::Slice(kLayoutKey.data(), kLayoutKey.size()),
            leveldb::Slice(kPackedLayoutMagic.data(), kPackedLayoutMagic.size()));
  batch.Put(RepackKey(0), "");
  leveldb::WriteOptions wo;
  wo.sync = true;
  leveldb::Status s = Commit(wo, &batch);
  if (s.IsCorruption())
    return FromLevelDb(
        s, "cannot upgrade the record store in " + options_.dir + " to layout 2 (packed values)");
  if (!s.ok()) {
    // A full disk, say: a store that could not write at all before opened read-only, and still
    // does; its first write once writes work again is the upgrade (WriteLayoutProbe), since
    // nothing packed may be written before it.
    upgrade_owed_ = true;
    EnterState(StoreState::kReadOnly,
               "cannot upgrade the record store to layout 2 (packed values): " + s.ToString());
    return Status::OK();
  }
  return Status::OK();
}

Status RecordStore::LoadCounts(bool* unreadable) {
  uint64_t total = 0;
  for (int n = 0; n < kCountShards; ++n) {
    counts_[n] = 0;
    std::string value;
    leveldb::Status s = db_->Get(VerifiedReads(), CountKey(n), &value);
    if (s.IsNotFound()) continue;
    if (s.ok() && DecodeCounter(value, &counts_[n]).ok()) {
      total += counts_[n];
      continue;
    }
    if (!s.ok() && !s.IsCorruption())
      return FromLevelDb(s, "cannot read the record count in " + options_.dir);
    counts_[n] = 0;
    *unreadable = true;
  }
  record_count_.store(total);
  return Status::OK();
}

Status RecordStore::RecountAtOpen(uint64_t* claimed, uint64_t* found) {
  uint64_t counts[kCountShards], stored[kCountShards];
  bool damaged = false;
  Status st = CountRecords(nullptr, counts, stored, &damaged);
  if (!st.ok()) return st;
  uint64_t before = 0, after = 0;
  leveldb::WriteBatch batch;
  for (int n = 0; n < kCountShards; ++n) {
    before += counts_[n];
    after += counts[n];
    counts_[n] = counts[n];
    batch.Put(CountKey(n), EncodeCounter(counts[n]));
  }
  record_count_.store(after);
  recounts_.fetch_add(1, std::memory_order_relaxed);
  if (claimed) *claimed = before;
  if (found) *found = after;
  if (writable()) {
    leveldb::WriteOptions wo;
    wo.sync = true;
    leveldb::Status s = Commit(wo, &batch);
    // The counts in memory are right whatever happens here; WriteFailed makes the store read-only.
    if (!s.ok()) (void)WriteFailed(s, "writing the recounted record counts");
  }
  return Status::OK();
}

Status RecordStore::Repair(const StoreOptions& options, RepairReport* report) {
  *report = RepairReport();
  const std::string& dir = options.dir;
  if (dir.empty()) return Status::InvalidArgument("no directory given for the record store");
  DirectoryContents contents;
  Status st = InspectDirectory(dir, &contents);
  if (!st.ok()) return st;
  if (!contents.HasLevelDbFiles())
    return Status::InvalidArgument("there is nothing to repair in " + dir +
                                   ": it holds no LevelDB files (" + contents.Describe() + ")");
  report->table_files = contents.table_files;
  report->log_files = contents.log_files;
  report->bytes = contents.bytes;

  std::unique_ptr<RecordStore> store(
      new RecordStore(options, [](std::function<void()> fn) { fn(); }));
  leveldb::Env* env = PreadEnv();
  store->info_log_ = std::make_unique<InfoLog>(env, dir);
  // RepairDB does not take LevelDB's lock: take it, so a running server's directory is never
  // rebuilt under it.
  leveldb::FileLock* lock = nullptr;
  leveldb::Status s = env->LockFile(dir + "/LOCK", &lock);
  if (!s.ok())
    return Status::IOError("cannot lock " + dir + " (is a server running on it?): " + s.ToString());
  int lost_before = LostEntries(dir);
  // Paranoid: a table block that fails its checksum is left out of the rebuilt table instead of
  // being copied into it.
  s = leveldb::RepairDB(dir, store->LevelDbOptions());
  env->UnlockFile(lock);
  report->dropped_bytes = store->info_log_->dropped_bytes();
  report->damage = store->info_log_->damage_messages();
  report->set_aside = LostEntries(dir) - lost_before;
  if (!s.ok()) return FromLevelDb(s, "LevelDB could not repair the database in " + dir);
  return store->OpenDb(report);
}

std::string RepairReport::Summary(const std::string& dir) const {
  std::string out = "repaired the record store in " + dir + ": it held " +
                    Count(static_cast<uint64_t>(table_files), "table files") + " and " +
                    Count(static_cast<uint64_t>(log_files), "write-ahead logs");
  char size[48];
  std::snprintf(size, sizeof size, " (%.1f MB)", static_cast<double>(bytes) / 1e6);
  out += size;
  out += ".\n";
  if (dropped_bytes > 0)
    out += "LevelDB dropped " + Count(dropped_bytes, "bytes") +
           " of the write-ahead logs that could not be read.\n";
  for (const auto& line : damage) out += "  LevelDB: " + line + "\n";
  if (set_aside > 0)
    out += Count(static_cast<uint64_t>(set_aside), "files") + " LevelDB replaced " +
           (set_aside == 1 ? "is" : "are") + " kept in " + dir + "/lost.\n";
  if (layout_restored) out += "The layout key was lost and has been written again.\n";
  out +=
      Count(records, "records") + " are readable (the count said " + std::to_string(counted) + ")";
  if (counted > records)
    out += ": at least " + Count(counted - records, "records") +
           (counted - records == 1 ? " was lost" : " were lost");
  out += ".\n";
  return out;
}

}  // namespace storage
