// The record store under damaged directories, damaged files and a full disk (issue 14, items 1,
// 2 and 4). Full-disk tests mount a small tmpfs and need root; they skip otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "storage/record_store.h"
#include "store_files.h"
#include "tests/storage/record_store_fixture.h"

namespace storage {
namespace {

namespace fs = std::filesystem;
using test_support::FilesEndingIn;
using test_support::FlipBytes;
using test_support::Snapshot;
using test_support::Tmpfs;

// A record whose JSON carries `padding` letters that do not compress (so a small disk fills),
// the same for the same domain.
Record PaddedRecord(const std::string& domain, size_t padding) {
  Record r = MakeRecord(domain);
  std::string pad(padding, 'a');
  uint64_t x = std::hash<std::string>()(domain) | 1;
  for (char& c : pad) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>('a' + (x >> 59) % 26);
  }
  r.json.insert(r.json.size() - 1, ",\"pad\":\"" + pad + "\"");
  return r;
}

std::string Domain(int i) { return "d" + std::to_string(i) + ".test"; }

class RecordStoreFaultsTest : public RecordStoreTest {
 protected:
  // Puts n padded records d0.test ... and closes the store (which leaves them all in tables).
  void FillAndClose(int n, size_t padding) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(Put(Domain(i), PaddedRecord(Domain(i), padding)).ok());
    store_.reset();
    loop_.RunPending();
  }
  // Options with a clock the test moves, so that recovery attempts need no waiting.
  StoreOptions ClockedOptions(const std::string& dir) {
    StoreOptions o = Options(dir);
    o.now_ms = [this] { return now_ms_.load(); };
    return o;
  }
  // Puts `domain` until a Put succeeds, moving the clock so that each is a recovery attempt
  // (at most 100); the last status.
  Status PutOnceWritesWork(const std::string& domain) {
    Status st;
    for (int attempt = 0; attempt < 100; ++attempt) {
      now_ms_ += 2000;
      st = Put(domain);
      if (st.ok()) break;
    }
    return st;
  }
  std::atomic<int64_t> now_ms_{1'000'000};
};

// ---- Item 1: a directory that is not an openable store is never modified ----

TEST_F(RecordStoreFaultsTest, DirectoryWithoutCurrentIsRefusedAndLeftUntouched) {
  FillAndClose(300, 200);
  const std::string db = dir_.Sub("db");
  for (bool keep_log : {true, false}) {
    SCOPED_TRACE(keep_log ? "CURRENT removed" : "CURRENT and the logs removed");
    fs::remove(db + "/CURRENT");
    if (!keep_log)
      for (const auto& log : FilesEndingIn(db, ".log")) fs::remove(log);
    auto before = Snapshot(db);
    Status st = Open();
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_NE(st.ToString().find("no CURRENT file"), std::string::npos) << st.ToString();
    EXPECT_NE(st.ToString().find("left untouched"), std::string::npos) << st.ToString();
    EXPECT_NE(st.ToString().find("whois-proxy --repair --dir " + db), std::string::npos)
        << st.ToString();
    EXPECT_EQ(Snapshot(db), before) << "the directory was modified";
  }
}

TEST_F(RecordStoreFaultsTest, NewStoreOnlyInAnAbsentOrEmptyDirectory) {
  store_.reset();
  // What LevelDB leaves when creating a database failed half-way counts as empty.
  const std::string leftovers = dir_.Sub("leftovers");
  fs::create_directories(leftovers);
  std::ofstream(leftovers + "/LOCK").put('\0');
  std::ofstream(leftovers + "/LOG") << "x";
  ASSERT_TRUE(OpenAt(leftovers).ok());
  store_.reset();

  const std::string stray = dir_.Sub("stray");
  fs::create_directories(stray);
  std::ofstream(stray + "/notes.txt") << "not a database";
  auto before = Snapshot(stray);
  Status st = OpenAt(stray);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.ToString().find("1 other entry"), std::string::npos) << st.ToString();
  EXPECT_EQ(Snapshot(stray), before);
}

TEST_F(RecordStoreFaultsTest, RepairRebuildsAStoreWhoseCurrentFileWasLost) {
  FillAndClose(300, 200);
  const std::string db = dir_.Sub("db");
  fs::remove(db + "/CURRENT");
  for (const auto& log : FilesEndingIn(db, ".log")) fs::remove(log);
  RepairReport report;
  Status st = RecordStore::Repair(Options(), &report);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GE(report.table_files, 1);
  EXPECT_EQ(report.records, 300u);
  EXPECT_EQ(report.counted, 300u);
  EXPECT_NE(report.Summary(db).find("300 records are readable"), std::string::npos)
      << report.Summary(db);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->record_count(), 300u);
  for (int i = 0; i < 300; ++i) {
    auto [got, rec] = Get(Domain(i));
    ASSERT_TRUE(got.ok()) << Domain(i) << ": " << got.ToString();
    EXPECT_EQ(rec.json, PaddedRecord(Domain(i), 200).json);
  }
}

TEST_F(RecordStoreFaultsTest, RepairRefusesWhatItCannotRepair) {
  RepairReport report;
  // In use: the fixture's store holds the directory.
  Status st = RecordStore::Repair(Options(), &report);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_NE(st.ToString().find("is a server running on it"), std::string::npos) << st.ToString();

  const std::string stray = dir_.Sub("stray");
  fs::create_directories(stray);
  std::ofstream(stray + "/notes.txt") << "not a database";
  auto before = Snapshot(stray);
  st = RecordStore::Repair(Options(stray), &report);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.ToString().find("nothing to repair"), std::string::npos) << st.ToString();
  EXPECT_EQ(Snapshot(stray), before);
  st = RecordStore::Repair(Options(dir_.Sub("absent")), &report);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_FALSE(fs::exists(dir_.Sub("absent")));
}

// ---- Item 4: damage is found, reported once, answered as a miss, and counted right ----

TEST_F(RecordStoreFaultsTest, DamagedTableBlockIsReportedOnceAndServedAsAbsent) {
  constexpr int kRecords = 400;
  FillAndClose(kRecords, 1000);
  const std::string db = dir_.Sub("db");
  fs::path biggest = test_support::LargestFile(db, ".ldb");
  ASSERT_FALSE(biggest.empty());
  ASSERT_TRUE(FlipBytes(biggest, fs::file_size(biggest) / 3, 1));  // inside a data block
  ASSERT_TRUE(Open().ok());

  std::vector<std::string> damaged;
  for (int i = 0; i < kRecords; ++i) {
    auto [st, rec] = Get(Domain(i));
    if (st.IsNotFound()) {
      damaged.push_back(Domain(i));
      continue;
    }
    ASSERT_TRUE(st.ok()) << Domain(i) << ": " << st.ToString();
    EXPECT_EQ(rec.json, PaddedRecord(Domain(i), 1000).json) << "served altered: " << Domain(i);
  }
  ASSERT_FALSE(damaged.empty()) << "the flipped byte hit no record";
  std::cout << "[ info ] " << damaged.size() << " records in the damaged block\n";
  EXPECT_EQ(LoggedCount("is damaged"), damaged.size()) << "each damaged record reported once";
  EXPECT_TRUE(Get(damaged[0]).first.IsNotFound());
  EXPECT_EQ(LoggedCount("is damaged"), damaged.size()) << "reported again";
  EXPECT_EQ(store_->health().damaged_records, damaged.size());

  // The recount runs on the workers after the damage was found.
  const uint64_t readable = kRecords - damaged.size();
  loop_.RunUntil([&] { return store_->record_count() == readable; });
  EXPECT_EQ(ScanAll("", 100).size(), readable);

  // DEL works on a damaged record; SET (or a GET's lookup) replaces one.
  auto [del, existed] = Delete(damaged[0]);
  EXPECT_TRUE(del.ok()) << del.ToString();
  EXPECT_TRUE(existed);
  EXPECT_EQ(store_->record_count(), readable);
  if (damaged.size() > 1) {
    ASSERT_TRUE(Put(damaged[1], PaddedRecord(damaged[1], 10)).ok());
    auto [st, rec] = Get(damaged[1]);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(rec.json, PaddedRecord(damaged[1], 10).json);
    EXPECT_EQ(store_->record_count(), readable + 1);
  }
  EXPECT_EQ(ScanAll("", 100).size(), store_->record_count());
  // And after a restart.
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(ScanAll("", 100).size(), store_->record_count());
}

// LevelDB's compaction stops at a block that fails its checksum, and its error is sticky: the
// store stays read-only (reads go on) until it is repaired, and says so.
TEST_F(RecordStoreFaultsTest, DamageMetByCompactionKeepsTheStoreReadOnlyUntilRepaired) {
  constexpr int kRecords = 3000;
  FillAndClose(kRecords, 1000);  // a 1 MiB memtable: several tables, on several levels
  const std::string db = dir_.Sub("db");
  // A damaged block in every table, so that whichever the next compaction reads is damaged.
  auto tables = FilesEndingIn(db, ".ldb");
  ASSERT_FALSE(tables.empty());
  for (const auto& table : tables) ASSERT_TRUE(FlipBytes(table, fs::file_size(table) / 3, 1));
  ASSERT_TRUE(Open().ok());

  // Rewriting the same records makes LevelDB compact them with the damaged table.
  Status failed;
  int writes = 0;
  for (; writes < 20 * kRecords && failed.ok(); ++writes)
    failed = Put(Domain(writes % kRecords), PaddedRecord(Domain(writes % kRecords), 1000));
  ASSERT_FALSE(failed.ok()) << "no compaction met the damage in " << writes << " writes";
  std::cout << "[ info ] after " << writes << " writes: " << failed.ToString() << "\n";
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);
  EXPECT_EQ(LoggedCount("run whois-proxy --repair"), 1u);
  Status again = Put("late.test");
  EXPECT_NE(again.ToString().find("run whois-proxy --repair"), std::string::npos)
      << again.ToString();
  // Reads go on: every record is readable or, if damaged, absent; none is an error.
  for (int i = 0; i < kRecords; i += 7) {
    Status st = Get(Domain(i)).first;
    EXPECT_TRUE(st.ok() || st.IsNotFound()) << st.ToString();
  }

  store_.reset();
  loop_.RunPending();
  RepairReport report;
  Status st = RecordStore::Repair(Options(), &report);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::cout << "[ info ] " << report.Summary(db);
  EXPECT_LE(report.records, static_cast<uint64_t>(kRecords));
  EXPECT_GE(report.set_aside, 1);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->health().state, StoreState::kWritable);
  EXPECT_TRUE(Put("late.test").ok());
  EXPECT_EQ(ScanAll("", 1000).size(), store_->record_count());
}

TEST_F(RecordStoreFaultsTest, DamagedWriteAheadLogIsSalvagedAndTheLossReported) {
  store_.reset();
  const std::string db = dir_.Sub("crash");
  int acks = -1;
  // A memtable larger than what is written: every record stays in the write-ahead log.
  pid_t pid = StartWriterChild(db, 16 << 20, 200, &acks);
  ASSERT_GT(pid, 0);
  int last_acked = ReadAcks(acks, 3000);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // The child went on writing until it was killed: what it acknowledged meanwhile is in the pipe
  // (one write at a time, so at most one more reached the log unacknowledged).
  if (int rest = ReadAcks(acks, INT_MAX); rest > last_acked) last_acked = rest;
  close(acks);
  ASSERT_GE(last_acked, 2999);
  auto logs = FilesEndingIn(db, ".log");
  ASSERT_EQ(logs.size(), 1u);
  uintmax_t size = fs::file_size(logs[0]);
  ASSERT_TRUE(FlipBytes(logs[0], size / 2, 16));

  Status st = OpenAt(db);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(LoggedCount("was damaged"), 1u);
  std::string report;
  for (const auto& line : logged())
    if (line.find("was damaged") != std::string::npos) report = line;
  std::cout << "[ info ] " << report << "\n";
  EXPECT_NE(report.find("LevelDB dropped"), std::string::npos) << report;
  EXPECT_NE(report.find("records were lost"), std::string::npos) << report;
  EXPECT_TRUE(fs::exists(db + "/lost/" + logs[0].filename().string()));
  uint64_t count = store_->record_count();
  EXPECT_LT(count, static_cast<uint64_t>(last_acked + 1));
  EXPECT_GT(count, 0u);
  auto found = ScanAll("", 1000);
  EXPECT_EQ(found.size(), count);
  for (size_t i = 0; i < found.size(); i += 37) EXPECT_TRUE(Get(found[i]).first.ok()) << found[i];
}

TEST_F(RecordStoreFaultsTest, WriteAheadLogCutShortAfterACleanCloseLosesNothing) {
  FillAndClose(500, 200);
  const std::string db = dir_.Sub("db");
  for (const auto& log : FilesEndingIn(db, ".log")) {
    EXPECT_EQ(fs::file_size(log), 0u) << "the log is not empty at rest";
    fs::resize_file(log, fs::file_size(log) / 2);
  }
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->record_count(), 500u);
  for (int i = 0; i < 500; i += 7) EXPECT_TRUE(Get(Domain(i)).first.ok()) << Domain(i);
}

// ---- Item 2: a full disk makes the store read-only, and it recovers by itself ----

TEST_F(RecordStoreFaultsTest, FullDiskMakesTheStoreReadOnlyUntilSpaceReturns) {
  store_.reset();
  const std::string db = dir_.Sub("tmpfs");
  Tmpfs tmpfs(db);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(RecordStore::Open(ClockedOptions(db), loop_.post(), &store_).ok());
  std::vector<std::string> acked;
  Status failed;
  for (int i = 0; i < 20000 && failed.ok(); ++i) {
    failed = Put(Domain(i), PaddedRecord(Domain(i), 500));
    if (failed.ok()) acked.push_back(Domain(i));
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  std::cout << "[ info ] " << acked.size() << " records, then: " << failed.ToString() << "\n";
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);
  EXPECT_EQ(LoggedCount("read-only from now on"), 1u);
  Status again = Put("late.test");
  EXPECT_TRUE(again.IsIOError());
  EXPECT_NE(again.ToString().find("read-only since a write failed"), std::string::npos)
      << again.ToString();
  for (size_t i = 0; i < acked.size(); i += 13) EXPECT_TRUE(Get(acked[i]).first.ok()) << acked[i];
  // Still full: an attempt (the clock says one is due) leaves it read-only, and changes nothing.
  now_ms_ += 5000;
  EXPECT_FALSE(Put("late.test").ok());
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);

  ASSERT_TRUE(tmpfs.Resize("64m"));
  Status st = PutOnceWritesWork("late.test");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store_->health().state, StoreState::kWritable);
  EXPECT_EQ(LoggedCount("is writable again"), 1u);
  acked.push_back("late.test");
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Put("after" + std::to_string(i) + ".test").ok());

  // Everything acknowledged survives a restart.
  store_.reset();
  loop_.RunPending();
  ASSERT_TRUE(OpenAt(db).ok());
  for (const auto& d : acked) EXPECT_TRUE(Get(d).first.ok()) << d;
  EXPECT_EQ(store_->record_count(), acked.size() + 100);
  EXPECT_EQ(ScanAll("", 1000).size(), store_->record_count());
}

TEST_F(RecordStoreFaultsTest, OpensReadOnlyOnAFullDiskAndServesReads) {
  store_.reset();
  const std::string db = dir_.Sub("tmpfs");
  Tmpfs tmpfs(db);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(OpenAt(db).ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Put(Domain(i)).ok());
  store_.reset();
  loop_.RunPending();
  test_support::FillDisk(db + "/filler");
  Status st = RecordStore::Open(ClockedOptions(db), loop_.post(), &store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);
  EXPECT_EQ(store_->record_count(), 200u);
  for (int i = 0; i < 200; i += 9) EXPECT_TRUE(Get(Domain(i)).first.ok()) << Domain(i);
  EXPECT_FALSE(Put("new.test").ok());

  fs::remove(db + "/filler");
  st = PutOnceWritesWork("new.test");
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store_->health().state, StoreState::kWritable);
}

// A store from before packed values, opened by a packing store on a full disk: the upgrade to
// layout 2 cannot be written, so it opens read-only (nothing packed may be written before the
// upgrade), serves reads, writes the upgrade first once writes work again, and is repacked at
// the next start.
TEST_F(RecordStoreFaultsTest, AnUpgradeAFullDiskRefusesIsWrittenFirstOnceWritesWork) {
  store_.reset();
  const std::string db = dir_.Sub("tmpfs");
  Tmpfs tmpfs(db);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(OpenAt(db).ok());  // not packing: layout 1
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Put(Domain(i)).ok());
  store_.reset();
  loop_.RunPending();
  test_support::FillDisk(db + "/filler");

  head_dictionaries_ = {{3, "{\"domain\":\"d1.test\",\"status\":\"registered\"}"}};
  head_dictionary_ = 3;
  Status st = RecordStore::Open(ClockedOptions(db), loop_.post(), &store_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);
  for (int i = 0; i < 200; i += 9) EXPECT_TRUE(Get(Domain(i)).first.ok()) << Domain(i);
  EXPECT_FALSE(Put("new.test").ok());
  EXPECT_FALSE(store_->repacking());

  fs::remove(db + "/filler");
  st = PutOnceWritesWork("new.test");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(LoggedCount("is now of layout 2"), 1u);

  store_.reset();
  loop_.RunPending();
  ASSERT_TRUE(RecordStore::Open(ClockedOptions(db), loop_.post(), &store_).ok());
  ASSERT_TRUE(test_support::WaitUntil([&] { return !store_->repacking(); }));
  EXPECT_EQ(store_->repacked_values(), 200u);  // new.test was written packed
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(Get(Domain(i)).first.ok()) << Domain(i);
  EXPECT_TRUE(Get("new.test").first.ok());
}

}  // namespace
}  // namespace storage
