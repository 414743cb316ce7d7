// A store that keeps a head mirror (StoreOptions::head_mirror, storage/head_mirror.h): TryGetNow
// answers from it with exactly what LevelDB holds, every write reaches it (also while it is being
// built), a restart builds it again, damage in its file falls back to LevelDB, and a store
// without one has no file. Each test runs on a plain and on a packing store.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "storage/key_hash.h"
#include "storage/meta_transaction.h"
#include "store_files.h"
#include "tests/storage/record_store_fixture.h"
#include "tests/support/wait_until.h"

namespace storage {
namespace {

constexpr uint8_t kDictionaryId = 7;
using ReadNow = RecordStore::ReadNow;
using MirrorState = HeadMirror::State;

std::string RecordText(const std::string& domain, int version) {
  return R"({"domain":")" + domain + R"(","status":"registered","registrar":{"name":"Example )" +
         R"(Registrar, Inc."},"nameservers":["ns1.hosting.example","ns2.hosting.example"],)" +
         R"("version":)" + std::to_string(version) + "}";
}

std::string Dictionary() {
  std::string d;
  for (int i = 0; i < 8; ++i) d += RecordText("example" + std::to_string(i) + ".com", i);
  return d;
}

std::string DomainName(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "d%05d.com", i);
  return name;
}

// Version `version` of domain's head (no chain: TryGetNow and Get give heads only).
Record Version(const std::string& domain, int version) {
  Record r = MakeRecord(domain, 1000 + version);
  r.json = RecordText(domain, version);
  r.status = version % 4 == 3 ? RecordStatus::kNotFound : RecordStatus::kRegistered;
  r.refresh_failures = static_cast<uint32_t>(version % 3);
  r.refresh_after_ms = version % 3 == 0 ? 0 : 5000 + version;
  return r;
}

// `bytes` characters that no dictionary or compressor makes much smaller.
std::string RandomText(size_t bytes, uint32_t seed) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937 rng(seed);
  std::string out(bytes, ' ');
  for (char& c : out) c = kAlphabet[rng() % 64];
  return out;
}

class MirrorStoreTest : public RecordStoreTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {}  // each test opens its stores itself

  bool packing() const { return GetParam(); }
  std::string MirrorPath() const { return dir_.Sub("db") + "/heads.mirror"; }
  bool MirrorFileExists() const { return std::filesystem::exists(MirrorPath()); }

  // In `dir` (default: the test's "db"); one given elsewhere gets a clock the test moves, so
  // that recovery attempts need no waiting.
  Status OpenStore(bool mirror = true, const std::string& dir = "") {
    Close();
    head_dictionaries_.clear();
    head_dictionary_ = 0;
    if (packing()) {
      head_dictionaries_ = {{kDictionaryId, Dictionary()}};
      head_dictionary_ = kDictionaryId;
    }
    StoreOptions o = Options(dir);
    if (!dir.empty()) o.now_ms = [this] { return now_ms_.load(); };
    o.head_mirror = mirror;
    o.mirror_keep_free_bytes = keep_free_bytes_;
    return RecordStore::Open(o, loop_.post(), &store_);
  }
  void Close() {
    store_.reset();
    loop_.RunPending();
  }

  HeadMirror::Stats Mirror() { return store_->mirror_stats(); }
  void WaitForMirrorReady() {
    ASSERT_TRUE(test_support::WaitUntil([&] { return Mirror().state == MirrorState::kReady; }))
        << "the mirror is " << HeadMirror::StateName(Mirror().state);
  }

  // Version `version` of d00000.com ... d<n-1>.com.
  static std::map<std::string, Record> Versions(int n) {
    std::map<std::string, Record> out;
    for (int i = 0; i < n; ++i) out[DomainName(i)] = Version(DomainName(i), i);
    return out;
  }
  // Writes Versions(n) and opens the store again, so that its mirror is built from the database;
  // returns them once it is.
  std::map<std::string, Record> WriteAndReopen(int n) {
    std::map<std::string, Record> written = Versions(n);
    EXPECT_TRUE(OpenStore().ok());
    PutAll(written);
    EXPECT_TRUE(OpenStore().ok());
    WaitForMirrorReady();
    return written;
  }

  // Puts every (domain, record) at once and waits for all completions.
  void PutAll(const std::map<std::string, Record>& records) {
    size_t done = 0;
    for (const auto& [d, r] : records)
      store_->Put(d, r, [&done, domain = d](Status s) {
        EXPECT_TRUE(s.ok()) << domain << ": " << s.ToString();
        ++done;
      });
    loop_.RunUntil([&] { return done == records.size(); });
  }

  // TryGetNow must answer from the mirror with exactly `want`.
  void ExpectFromMirror(const std::string& d, const Record& want) {
    const uint64_t reads = Mirror().reads;
    Record got;
    ASSERT_EQ(store_->TryGetNow(d, &got), ReadNow::kFound) << d;
    EXPECT_EQ(got, want) << d;
    EXPECT_EQ(got.json, want.json) << d;
    EXPECT_EQ(Mirror().reads, reads + 1) << d << " was not read from the mirror";
  }

  // What the store answers for d, now if it can (TryGetNow) or else through a worker (Get): the
  // two must agree. nullopt: no record.
  std::optional<Record> Read(const std::string& d) {
    Record got;
    switch (store_->TryGetNow(d, &got)) {
      case ReadNow::kFound:
        return got;
      case ReadNow::kAbsent:
        EXPECT_TRUE(Get(d).first.IsNotFound()) << d << ": TryGetNow and Get disagree";
        return std::nullopt;
      case ReadNow::kDeferred:
        break;
    }
    auto [st, rec] = Get(d);
    if (st.IsNotFound()) return std::nullopt;
    EXPECT_TRUE(st.ok()) << d << ": " << st.ToString();
    return rec;
  }

  // A worker (of 2) held in a meta transaction until `release` is set.
  struct Hold {
    std::promise<void> release;
    std::atomic<bool> entered{false};
    std::optional<Status> done;
  };
  std::shared_ptr<Hold> HoldWorker(int w) {
    auto hold = std::make_shared<Hold>();
    std::string key;
    for (int i = 0; key.empty(); ++i) {
      const std::string k = "x:hold" + std::to_string(i);
      if (static_cast<int>(KeyHash(k) % RecordStore::kCountShards % 2) == w) key = k;
    }
    std::shared_future<void> released = hold->release.get_future().share();
    store_->RunMetaTransaction(
        key,
        [hold, released](MetaTransaction&) {
          hold->entered = true;
          released.wait();
          return Status::OK();
        },
        false, [hold](Status s) { hold->done = s; });
    return hold;
  }

  std::atomic<int64_t> now_ms_{1'000'000};
  // None by default: the tests' disks may be small (a 2 MiB tmpfs), and what they test is not
  // the room the mirror leaves.
  uint64_t keep_free_bytes_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Packing, MirrorStoreTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Packed" : "Plain";
                         });

TEST_P(MirrorStoreTest, AfterOpenTheMirrorIsBuiltAndAnswersWithTheExactRecord) {
  const std::map<std::string, Record> written = WriteAndReopen(700);
  HeadMirror::Stats s = Mirror();
  EXPECT_EQ(s.heads, 700u);
  EXPECT_EQ(s.heads, store_->record_count());
  EXPECT_GT(s.file_bytes, 0u);
  EXPECT_GT(s.index_bytes, 0u);
  EXPECT_EQ(s.builds, 1u);
  EXPECT_EQ(s.damaged, 0u);
  EXPECT_EQ(HeadMirror::StateName(s.state), "ready");
  EXPECT_EQ(store_->stats().mirror.heads, 700u);
  for (const auto& [d, r] : written) ExpectFromMirror(d, r);
  EXPECT_EQ(Mirror().reads, s.reads + 700);
  // A domain never written is absent, not something the mirror made up.
  EXPECT_FALSE(Read("never.example").has_value());
}

TEST_P(MirrorStoreTest, EveryWriteReachesTheMirrorBeforeItsCompletion) {
  const std::map<std::string, Record> written = WriteAndReopen(50);

  // A new version: never the old one once its completion ran, and from the mirror.
  for (int round = 1; round <= 3; ++round) {
    const std::string d = DomainName(7);
    const Record next = Version(d, 100 * round);
    ASSERT_TRUE(Put(d, next).ok());
    ExpectFromMirror(d, next);
  }
  // A domain new since the build.
  ASSERT_TRUE(Put("new.example", Version("new.example", 1)).ok());
  ExpectFromMirror("new.example", Version("new.example", 1));
  EXPECT_EQ(Mirror().heads, 51u);

  // Delete: absent (the mirror's copy is not read).
  auto [st, existed] = Delete(DomainName(8));
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(existed);
  Record got;
  EXPECT_EQ(store_->TryGetNow(DomainName(8), &got), ReadNow::kAbsent);
  EXPECT_EQ(Mirror().heads, 50u);

  // An update that archives the head: the new head.
  const std::string u = DomainName(9);
  const Record next = Version(u, 999);
  EXPECT_TRUE(Archive(u, next).ok());
  ExpectFromMirror(u, next);
  const std::vector<Record> versions = History(u);
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].json, written.at(u).json);

  // FlushAll: every domain absent, the mirror empty.
  ASSERT_TRUE(FlushAll().ok());
  for (const auto& [d, r] : written) EXPECT_EQ(store_->TryGetNow(d, &got), ReadNow::kAbsent) << d;
  EXPECT_EQ(store_->TryGetNow("new.example", &got), ReadNow::kAbsent);
  EXPECT_EQ(Mirror().heads, 0u);
  EXPECT_EQ(Mirror().state, MirrorState::kReady);
  // And it takes writes again.
  ASSERT_TRUE(Put(DomainName(1), Version(DomainName(1), 5)).ok());
  ExpectFromMirror(DomainName(1), Version(DomainName(1), 5));
}

TEST_P(MirrorStoreTest, ARestartBuildsTheMirrorAgainWithTheSameAnswers) {
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  EXPECT_TRUE(MirrorFileExists());
  std::map<std::string, Record> written = Versions(300);
  PutAll(written);
  for (int i = 0; i < 300; i += 10) {
    ASSERT_TRUE(Delete(DomainName(i)).first.ok());
    written.erase(DomainName(i));
  }
  for (int i = 1; i < 300; i += 10) {
    written[DomainName(i)] = Version(DomainName(i), 1000 + i);
    ASSERT_TRUE(Put(DomainName(i), written[DomainName(i)]).ok());
  }
  EXPECT_EQ(Mirror().heads, 270u);
  for (const auto& [d, r] : written) ExpectFromMirror(d, r);

  Close();
  EXPECT_FALSE(MirrorFileExists()) << "a closed store leaves no mirror";
  ASSERT_TRUE(OpenStore().ok());
  EXPECT_TRUE(MirrorFileExists());
  WaitForMirrorReady();
  EXPECT_EQ(Mirror().heads, 270u);
  for (int i = 0; i < 300; ++i) {
    const std::string d = DomainName(i);
    auto it = written.find(d);
    if (it == written.end()) {
      EXPECT_FALSE(Read(d).has_value()) << d;  // in a table now: TryGetNow may defer
    } else {
      ExpectFromMirror(d, it->second);
    }
  }

  // A mirror file left behind (as by a crash) is never read: the next Open makes a new one.
  Close();
  {
    std::ofstream stale(MirrorPath(), std::ios::binary);
    stale << RandomText(1 << 16, 3);
  }
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  EXPECT_EQ(Mirror().heads, 270u);
  for (const auto& [d, r] : written) ExpectFromMirror(d, r);
  EXPECT_EQ(Mirror().damaged, 0u);
  Close();
  EXPECT_FALSE(MirrorFileExists());
}

TEST_P(MirrorStoreTest, WritesDuringTheBuildAreNeverUndone) {
  constexpr int kRecords = 5000;
  constexpr int kStep = 512;  // internal::kMirrorBuildStep
  ASSERT_TRUE(OpenStore(/*mirror=*/false).ok());
  std::map<std::string, Record> latest = Versions(kRecords);
  PutAll(latest);

  // Open with the mirror, then until it is built: hold both workers. Then exactly one step of the
  // build is queued, ahead of every write issued now, and it covers the kStep domains after those
  // built so far (the heads, and the domains deleted, all before it). Write those, so that the
  // other worker writes them while the step reads them from the database: new versions, and
  // deletes of 1 in 25. (A build that ran through before the first holds is tried again.)
  ASSERT_TRUE(OpenStore().ok());
  int caught = 0;
  int deleted = 0;
  for (int round = 0; round < 4 * kRecords / kStep; ++round) {
    const std::shared_ptr<Hold> holds[2] = {HoldWorker(0), HoldWorker(1)};
    ASSERT_TRUE(test_support::WaitUntil([&] { return holds[0]->entered && holds[1]->entered; }));
    const HeadMirror::Stats held = Mirror();
    size_t pending = 0;
    if (held.state == MirrorState::kBuilding) {
      ++caught;
      const int next = static_cast<int>(held.heads) + deleted;  // the queued step's first domain
      for (int i = next; i < std::min(next + kStep, kRecords); ++i) {
        const std::string d = DomainName(i);
        ++pending;
        if (i % 25 == 2) {
          ++deleted;
          latest.erase(d);
          store_->Delete(d, [&pending](Status s, bool existed) {
            EXPECT_TRUE(s.ok()) << s.ToString();
            EXPECT_TRUE(existed);
            --pending;
          });
        } else {
          latest[d] = Version(d, kRecords + i);
          store_->Put(d, latest[d], [&pending](Status s) {
            EXPECT_TRUE(s.ok()) << s.ToString();
            --pending;
          });
        }
      }
      Record got;
      EXPECT_EQ(store_->TryGetNow(DomainName(next), &got), ReadNow::kDeferred);
    }
    holds[0]->release.set_value();
    holds[1]->release.set_value();
    loop_.RunUntil([&] { return pending == 0 && holds[0]->done && holds[1]->done; });
    if (held.state == MirrorState::kReady) {
      if (caught > 0) break;
      ASSERT_TRUE(OpenStore().ok());  // built before the holds: again
    }
  }
  ASSERT_GT(caught, 0) << "the build always ended before the workers were held";
  EXPECT_GT(deleted, 0);

  WaitForMirrorReady();
  EXPECT_EQ(Mirror().heads, latest.size());
  EXPECT_EQ(store_->record_count(), latest.size());
  EXPECT_EQ(Mirror().builds, 1u);
  for (int i = 0; i < kRecords; ++i) {
    const std::string d = DomainName(i);
    auto it = latest.find(d);
    if (it == latest.end()) {
      Record got;
      EXPECT_EQ(store_->TryGetNow(d, &got), ReadNow::kAbsent) << d << " came back";
    } else {
      ExpectFromMirror(d, it->second);
    }
  }
}

// A second store refused the directory (it is in use) must leave the first one's mirror alone.
TEST_P(MirrorStoreTest, AnOpenRefusedForADirectoryInUseLeavesItsMirrorAlone) {
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  ASSERT_TRUE(Put("a.example", Version("a.example", 1)).ok());
  StoreOptions o = Options();  // the same dictionaries
  o.head_mirror = true;
  std::unique_ptr<RecordStore> second;
  Status st = RecordStore::Open(o, loop_.post(), &second);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_TRUE(MirrorFileExists());
  ExpectFromMirror("a.example", Version("a.example", 1));
}

// A disk without the room the database keeps free: the build stops, the mirror is dropped, and
// every read (and write) works as without one.
TEST_P(MirrorStoreTest, AMirrorThatWouldTakeTheDatabasesRoomIsDropped) {
  ASSERT_TRUE(OpenStore().ok());
  const std::map<std::string, Record> written = Versions(600);
  PutAll(written);
  keep_free_bytes_ = UINT64_MAX;  // more than any disk has free
  ASSERT_TRUE(OpenStore().ok());
  ASSERT_TRUE(test_support::WaitUntil([&] { return LoggedCount("no head mirror") > 0; }));
  EXPECT_EQ(LoggedCount("no head mirror"), 1u);
  EXPECT_EQ(Mirror().state, MirrorState::kOff);
  for (const auto& [d, r] : written) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }
  ASSERT_TRUE(Put(DomainName(3), Version(DomainName(3), 33)).ok());
  std::optional<Record> got = Read(DomainName(3));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Version(DomainName(3), 33));
  EXPECT_EQ(Mirror().reads, 0u);
  EXPECT_EQ(Mirror().state, MirrorState::kOff);
}

// A store that grows past what its mirror's index was sized for at Open: a write asks for a new
// generation, built on the workers while writes go on, and nothing is lost or read stale.
TEST_P(MirrorStoreTest, AMirrorOutgrownIsBuiltAgainWhileWritesGoOn) {
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  std::map<std::string, Record> latest;
  for (int round = 0; round < 4; ++round) {
    std::map<std::string, Record> batch;
    for (int i = round * 2500; i < (round + 1) * 2500; ++i)
      batch[DomainName(i)] = Version(DomainName(i), i);
    // And new versions of some written before.
    for (int i = 0; i < round * 2500; i += 7)
      batch[DomainName(i)] = Version(DomainName(i), 100'000 * (round + 1) + i);
    PutAll(batch);
    for (auto& [d, r] : batch) latest[d] = r;
  }
  WaitForMirrorReady();
  const HeadMirror::Stats s = Mirror();
  EXPECT_GE(s.builds, 2u) << "10,000 heads in an index sized for an empty store";
  EXPECT_EQ(s.heads, 10'000u);
  EXPECT_EQ(store_->record_count(), 10'000u);
  for (const auto& [d, r] : latest) ExpectFromMirror(d, r);
}

// A store written before packing, opened packing: the repacking pass rewrites every head while
// the mirror is built; both end with every head in the mirror, read as it was written.
class MirrorRepackTest : public MirrorStoreTest {};
INSTANTIATE_TEST_SUITE_P(Packing, MirrorRepackTest, ::testing::Values(true),
                         [](const ::testing::TestParamInfo<bool>&) { return "Packed"; });

TEST_P(MirrorRepackTest, RepackingWhileTheMirrorIsBuiltChangesNoRecord) {
  head_dictionaries_.clear();
  head_dictionary_ = 0;
  {
    StoreOptions o = Options();
    ASSERT_TRUE(RecordStore::Open(o, loop_.post(), &store_).ok());  // not packing
  }
  const std::map<std::string, Record> written = Versions(3000);
  PutAll(written);
  ASSERT_TRUE(OpenStore().ok());  // packing, with the mirror
  EXPECT_TRUE(store_->stats().repacking);
  ASSERT_TRUE(test_support::WaitUntil([&] { return !store_->repacking(); }));
  WaitForMirrorReady();
  EXPECT_EQ(store_->repacked_values(), 3000u);
  EXPECT_EQ(Mirror().heads, 3000u);
  for (const auto& [d, r] : written) ExpectFromMirror(d, r);
}

TEST_P(MirrorStoreTest, DamageInTheMirrorFileFallsBackToLevelDb) {
  const std::map<std::string, Record> written = WriteAndReopen(200);
  ASSERT_GT(Mirror().file_bytes, 8192u);
  EXPECT_EQ(Mirror().damaged, 0u);

  const int fd = ::open(MirrorPath().c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string garbage = RandomText(4096, 11);
  ASSERT_EQ(::pwrite(fd, garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
  ::close(fd);

  for (const auto& [d, r] : written) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }
  EXPECT_GT(Mirror().damaged, 0u);
  EXPECT_EQ(Mirror().state, MirrorState::kReady);
  // The undamaged rest is still read from the mirror.
  EXPECT_GT(Mirror().reads, 0u);
  EXPECT_LT(Mirror().reads, written.size());
  // A damaged domain written again is read from the mirror again.
  const std::string first = written.begin()->first;
  const Record next = Version(first, 4242);
  ASSERT_TRUE(Put(first, next).ok());
  ExpectFromMirror(first, next);
}

// A full disk, which the mirror's file shares: the store turns read-only. No acknowledged write
// is lost or read stale, and once writes work again (recovery may open the database again, which
// drops the mirror and builds it anew) the mirror holds every domain. (On tmpfs, which refuses
// RWF_NOWAIT, the mirror never answers a read itself: every read here falls back to LevelDB.)
TEST_P(MirrorStoreTest, AFullDiskLosesNoAcknowledgedWriteAndTheMirrorComesBack) {
  const std::string db = dir_.Sub("tmpfs");
  test_support::Tmpfs tmpfs(db);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(OpenStore(/*mirror=*/true, db).ok());
  WaitForMirrorReady();
  std::map<std::string, Record> acked;
  auto padded = [](const std::string& d, int version) {
    Record r = Version(d, version);
    r.json.insert(r.json.size() - 1,
                  ",\"pad\":\"" + RandomText(400, static_cast<uint32_t>(version)) + "\"");
    return r;
  };
  Status failed;
  for (int n = 0; n < 100000 && failed.ok(); ++n) {
    const std::string d = DomainName(n % 300);
    failed = Put(d, padded(d, n));
    if (failed.ok()) acked[d] = padded(d, n);
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  EXPECT_EQ(store_->health().state, StoreState::kReadOnly);
  const HeadMirror::Stats full = Mirror();
  std::cout << "[ info ] full after " << acked.size() << " domains: mirror "
            << HeadMirror::StateName(full.state) << ", " << full.heads << " heads, "
            << full.file_bytes << " bytes; " << failed.ToString() << "\n";
  for (const auto& [d, r] : acked) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }

  ASSERT_TRUE(tmpfs.Resize("64m"));
  Status st;
  for (int attempt = 0; attempt < 100; ++attempt) {
    now_ms_ += 2000;  // each Put is a recovery attempt
    const std::string d = DomainName(attempt % 300);
    st = Put(d, padded(d, 1'000'000 + attempt));
    if (st.ok()) {
      acked[d] = padded(d, 1'000'000 + attempt);
      break;
    }
  }
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store_->health().state, StoreState::kWritable);
  WaitForMirrorReady();
  std::cout << "[ info ] writable again: mirror of " << Mirror().heads << " heads, "
            << Mirror().builds << " builds\n";
  for (const auto& [d, r] : acked) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }
  // New writes are mirrored again.
  const uint64_t heads = Mirror().heads;
  ASSERT_TRUE(Put("new.example", padded("new.example", 2'000'000)).ok());
  acked["new.example"] = padded("new.example", 2'000'000);
  EXPECT_EQ(Mirror().heads, heads + 1);

  // And a restart mirrors them all. tmpfs refuses RWF_NOWAIT; its files are in memory, so the
  // mirror reads them with a plain pread and still answers.
  ASSERT_TRUE(OpenStore(/*mirror=*/true, db).ok());
  WaitForMirrorReady();
  EXPECT_EQ(Mirror().heads, acked.size());
  const uint64_t reads_before = Mirror().reads;
  for (const auto& [d, r] : acked) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }
  EXPECT_EQ(Mirror().reads, reads_before + acked.size());
  EXPECT_EQ(Mirror().damaged, 0u);
  Close();
}

TEST_P(MirrorStoreTest, WithoutTheMirrorThereIsNoFileAndReadsWorkAsBefore) {
  ASSERT_TRUE(OpenStore(/*mirror=*/false).ok());
  const std::map<std::string, Record> written = Versions(100);
  PutAll(written);
  for (const auto& [d, r] : written) {
    std::optional<Record> got = Read(d);
    ASSERT_TRUE(got.has_value()) << d;
    EXPECT_EQ(*got, r) << d;
  }
  EXPECT_FALSE(Read("never.example").has_value());
  HeadMirror::Stats s = Mirror();
  EXPECT_EQ(s.state, MirrorState::kOff);
  EXPECT_EQ(HeadMirror::StateName(s.state), "off");
  EXPECT_EQ(s.heads, 0u);
  EXPECT_EQ(s.reads, 0u);
  EXPECT_EQ(s.builds, 0u);
  EXPECT_EQ(store_->stats().mirror.state, MirrorState::kOff);
  EXPECT_FALSE(MirrorFileExists());

  ASSERT_TRUE(OpenStore(/*mirror=*/false).ok());
  for (const auto& [d, r] : written) {
    std::optional<Record> again = Read(d);
    ASSERT_TRUE(again.has_value()) << d;
    EXPECT_EQ(*again, r) << d;
  }
  EXPECT_FALSE(MirrorFileExists());
  EXPECT_EQ(Mirror().state, MirrorState::kOff);
}

TEST_P(MirrorStoreTest, AHeadTooLargeToMirrorIsReadFromLevelDbWithoutRebuilds) {
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  const std::string big = "big.example";
  ASSERT_TRUE(Put("small.example", Version("small.example", 1)).ok());
  ASSERT_TRUE(Put(big, Version(big, 1)).ok());
  ExpectFromMirror(big, Version(big, 1));
  EXPECT_EQ(Mirror().heads, 2u);

  // Its head, even packed, is far over kMirrorMaxRecordBytes.
  auto large = [&](int version) {
    Record r = Version(big, version);
    r.json = R"({"domain":"big.example","blob":")" +
             RandomText(3 * kMirrorMaxRecordBytes, static_cast<uint32_t>(version)) + "\"}";
    return r;
  };
  for (int version = 2; version <= 4; ++version) {
    ASSERT_TRUE(Put(big, large(version)).ok());
    const uint64_t reads = Mirror().reads;
    std::optional<Record> got = Read(big);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, large(version)) << "not the latest version";
    EXPECT_EQ(Mirror().reads, reads) << "the mirror cannot hold it";
    auto [st, rec] = Get(big);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(rec, large(version));
  }
  HeadMirror::Stats s = Mirror();
  EXPECT_EQ(s.state, MirrorState::kReady);
  EXPECT_EQ(s.heads, 1u);
  EXPECT_EQ(s.builds, 1u) << "a head too large to mirror asked for a rebuild";
  ExpectFromMirror("small.example", Version("small.example", 1));

  // Built from a database that holds it: the same.
  ASSERT_TRUE(OpenStore().ok());
  WaitForMirrorReady();
  EXPECT_EQ(Mirror().heads, 1u);
  std::optional<Record> got = Read(big);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, large(4));
  ASSERT_TRUE(Put(big, large(5)).ok());
  got = Read(big);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, large(5));
  EXPECT_EQ(Mirror().builds, 1u);
  EXPECT_EQ(Mirror().state, MirrorState::kReady);
  ExpectFromMirror("small.example", Version("small.example", 1));
  // Back to a small head: mirrored again.
  ASSERT_TRUE(Put(big, Version(big, 6)).ok());
  ExpectFromMirror(big, Version(big, 6));
}

}  // namespace
}  // namespace storage
