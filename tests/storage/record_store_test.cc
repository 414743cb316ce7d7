#include "storage/record_store.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "storage/key_layout.h"
#include "tests/storage/record_store_fixture.h"

namespace storage {
namespace {

TEST_F(RecordStoreTest, PutGetDeleteAndChain) {
  Record rec = MakeRecord("example.com");
  rec.status = RecordStatus::kNotFound;
  rec.imported = true;
  rec.chain = {{"whois.iana.org", "example.com", "refer: whois.verisign-grs.com", 10},
               {"whois.verisign-grs.com", "example.com", "Domain Name: EXAMPLE.COM", 11}};
  ASSERT_TRUE(Put("example.com", rec).ok());

  auto [st, got] = Get("example.com");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(got.chain.empty());  // Get reads the head only
  Record head = rec;
  head.chain.clear();
  EXPECT_EQ(got, head);

  auto [cst, chain] = GetChain("example.com");
  ASSERT_TRUE(cst.ok());
  EXPECT_EQ(chain, rec.chain);

  EXPECT_EQ(store_->record_count(), 1u);
  auto [dst, existed] = Delete("example.com");
  ASSERT_TRUE(dst.ok());
  EXPECT_TRUE(existed);
  EXPECT_EQ(store_->record_count(), 0u);
  EXPECT_TRUE(Get("example.com").first.IsNotFound());
  EXPECT_TRUE(GetChain("example.com").first.IsNotFound());
  auto [dst2, existed2] = Delete("example.com");
  EXPECT_TRUE(dst2.ok());
  EXPECT_FALSE(existed2);
}

TEST_F(RecordStoreTest, ReplacingDropsTheOldChain) {
  Record rec = MakeRecord("a.com");
  rec.chain = {{"s", "q", "t", 1}};
  ASSERT_TRUE(Put("a.com", rec).ok());
  ASSERT_TRUE(Put("a.com", MakeRecord("a.com", 2000)).ok());
  auto [st, chain] = GetChain("a.com");
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(Get("a.com").second.fetched_at_ms, 2000);
  EXPECT_EQ(store_->record_count(), 1u);
}

TEST_F(RecordStoreTest, RefusesNamesThatAreNotNormalised) {
  EXPECT_TRUE(Put("Example.com").IsInvalidArgument());
  EXPECT_TRUE(Put("").IsInvalidArgument());
  EXPECT_TRUE(Put("a_b.com").IsInvalidArgument());
  EXPECT_EQ(store_->record_count(), 0u);
}

TEST_F(RecordStoreTest, OperationsOnOneKeyRunInIssueOrder) {
  for (int round = 0; round < 50; ++round) {
    std::string d = "order" + std::to_string(round) + ".com";
    std::vector<std::string> log;
    std::optional<Status> got;
    store_->Put(d, MakeRecord(d), [&](Status s) { log.push_back("put " + s.ToString()); });
    store_->Delete(d, [&](Status, bool existed) { log.push_back(existed ? "del 1" : "del 0"); });
    store_->Get(d, [&](Status s, Record) {
      log.push_back("get");
      got = s;
    });
    loop_.RunUntil([&] { return got.has_value(); });
    EXPECT_TRUE(got->IsNotFound());
    EXPECT_EQ(log, (std::vector<std::string>{"put OK", "del 1", "get"}));
  }
  EXPECT_EQ(store_->record_count(), 0u);
}

TEST_F(RecordStoreTest, CountIsExactAcrossReopenWithOtherThreadCounts) {
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Put("d" + std::to_string(i) + ".com").ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Put("d" + std::to_string(i) + ".com").ok());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Delete("d" + std::to_string(i * 3) + ".com").first.ok());
  EXPECT_EQ(store_->record_count(), 170u);
  ASSERT_TRUE(Reopen(3).ok());
  EXPECT_EQ(store_->record_count(), 170u);
  ASSERT_TRUE(Put("new.com").ok());
  ASSERT_TRUE(Delete("d1.com").first.ok());
  ASSERT_TRUE(Reopen(1).ok());
  EXPECT_EQ(store_->record_count(), 170u);
  EXPECT_EQ(ScanAll("", 1000).size(), 170u);
}

TEST_F(RecordStoreTest, DataSurvivesReopen) {
  Record rec = MakeRecord("keep.org");
  rec.chain = {{"whois.pir.org", "keep.org", "Domain Name: keep.org", 5}};
  ASSERT_TRUE(Put("keep.org", rec).ok());
  ASSERT_TRUE(Reopen().ok());
  auto [st, got] = Get("keep.org");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(got.json, rec.json);
  EXPECT_EQ(GetChain("keep.org").second, rec.chain);
}

TEST_F(RecordStoreTest, SecondOpenInThisProcessFails) {
  StoreOptions o;
  o.dir = dir_.Sub("db");
  std::unique_ptr<RecordStore> second;
  Status st = RecordStore::Open(o, loop_.post(), &second);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(st.ToString().find("is in use by another process (LOCK held)"), std::string::npos)
      << st.ToString();
}

TEST_F(RecordStoreTest, SecondOpenFromAnotherProcessFails) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    StoreOptions o;
    o.dir = dir_.Sub("db");
    std::unique_ptr<RecordStore> second;
    TestLoop child_loop;
    Status st = RecordStore::Open(o, child_loop.post(), &second);
    std::string msg = st.ToString();
    (void)!write(fds[1], msg.data(), msg.size());
    _exit(st.ok() ? 1 : 0);
  }
  close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << msg;
  EXPECT_NE(msg.find("in use by another process"), std::string::npos) << msg;
}

TEST_F(RecordStoreTest, ForeignDatabaseIsRefused) {
  store_.reset();
  std::string foreign = dir_.Sub("foreign");
  WriteRaw(foreign, {{"user:1", "alice"}});
  StoreOptions o;
  o.dir = foreign;
  Status st = RecordStore::Open(o, loop_.post(), &store_);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.ToString().find("not a ds9 record store"), std::string::npos) << st.ToString();
}

TEST_F(RecordStoreTest, UnknownLayoutVersionIsRefused) {
  store_.reset();
  std::string future = dir_.Sub("future");
  WriteRaw(future, {{std::string(kLayoutKey), std::string(kLayoutMagicPrefix) + "99"}});
  StoreOptions o;
  o.dir = future;
  Status st = RecordStore::Open(o, loop_.post(), &store_);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.ToString().find("layout version 99"), std::string::npos) << st.ToString();
}

TEST_F(RecordStoreTest, DamagedDirectoryGivesAnErrorNotACrash) {
  store_.reset();
  std::string damaged = dir_.Sub("damaged");
  std::filesystem::create_directories(damaged);
  FILE* f = fopen((damaged + "/CURRENT").c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("MANIFEST-000099\n", f);  // names a manifest that does not exist
  fclose(f);
  StoreOptions o;
  o.dir = damaged;
  Status st = RecordStore::Open(o, loop_.post(), &store_);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find(damaged), std::string::npos) << st.ToString();
}

TEST_F(RecordStoreTest, UndecodableValueIsReportedOnceAndTreatedAsAbsent) {
  store_.reset();
  std::string db = dir_.Sub("db");
  WriteRaw(db, {{"r:bad.com", "\x01\x01"}, {"c:bad.com", "\x01\x05zz"}});
  ASSERT_TRUE(Open().ok());
  EXPECT_TRUE(Get("bad.com").first.IsNotFound());
  EXPECT_TRUE(GetChain("bad.com").first.IsNotFound());
  EXPECT_TRUE(Get("bad.com").first.IsNotFound());
  EXPECT_EQ(LoggedCount("bad.com"), 1u) << "reported once";
  EXPECT_EQ(store_->health().damaged_records, 1u);
  ASSERT_TRUE(Put("bad.com").ok());
  auto [st, rec] = Get("bad.com");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(rec.json, MakeRecord("bad.com").json);
}

TEST_F(RecordStoreTest, ScanReturnsEveryDomainOnceForManyCounts) {
  std::vector<std::string> want;
  for (int i = 0; i < 1000; ++i) {
    std::string d = "host" + std::to_string(i * 7919 % 100000) + (i % 2 ? ".com" : ".net");
    want.push_back(d);
    ASSERT_TRUE(Put(d).ok());
  }
  std::sort(want.begin(), want.end());
  for (size_t count : {1, 3, 10, 97, 5000}) {
    std::vector<std::string> got = ScanAll("", count);
    EXPECT_EQ(got, want) << "count " << count;
  }
}

TEST_F(RecordStoreTest, ScanHandlesLongSharedPrefixes) {
  std::vector<std::string> want;
  for (int i = 0; i < 1000; ++i) {
    std::string d = "aaaaaaaaaaaaaa" + std::to_string(i) + ".com";
    want.push_back(d);
    ASSERT_TRUE(Put(d).ok());
  }
  for (std::string d : {"a.com", "aaaaaaaaaaab.com", "b.com", "zz.io"}) {
    want.push_back(d);
    ASSERT_TRUE(Put(d).ok());
  }
  std::sort(want.begin(), want.end());
  for (size_t count : {1, 7, 10}) EXPECT_EQ(ScanAll("", count), want) << "count " << count;
  // COUNT is a hint: the step that enters the shared prefix runs to its end.
  ScanResult first = ScanStep(0, "", 1);
  EXPECT_EQ(first.keys, std::vector<std::string>{"a.com"});
}

TEST_F(RecordStoreTest, ScanMatchFilters) {
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(Put("m" + std::to_string(i) + ".org").ok());
  ASSERT_TRUE(Put("other.com").ok());
  std::vector<std::string> got = ScanAll("m1?.org", 10);
  EXPECT_EQ(got.size(), 10u);
  for (auto& d : got) EXPECT_TRUE(d.starts_with("m1") && d.size() == 7) << d;
  EXPECT_EQ(ScanAll("*.com", 10), std::vector<std::string>{"other.com"});
  EXPECT_EQ(ScanAll("*", 1000).size(), 301u);
}

TEST_F(RecordStoreTest, ScanRejectsInvalidCursors) {
  EXPECT_TRUE(ScanStep(1, "", 10).status.IsInvalidArgument());
  EXPECT_TRUE(ScanStep(~uint64_t{0}, "", 10).status.IsInvalidArgument());
  ScanResult empty = ScanStep(0, "", 10);
  EXPECT_TRUE(empty.status.ok());
  EXPECT_EQ(empty.next, 0u);
  EXPECT_TRUE(empty.keys.empty());
}

TEST_F(RecordStoreTest, ScanSkipsKeysOutsideTheDomainAlphabet) {
  store_.reset();
  WriteRaw(dir_.Sub("db"), {{"r:UPPER.com", "x"}, {"r:a_b.com", "x"}, {"r:", "x"}});
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Put("s" + std::to_string(i) + ".com").ok());
  for (size_t count : {1, 5, 100}) EXPECT_EQ(ScanAll("", count).size(), 20u);
}

TEST_F(RecordStoreTest, FlushAllEmptiesAndResetsTheCount) {
  for (int i = 0; i < 500; ++i) {
    Record r = MakeRecord("f" + std::to_string(i));
    r.chain = {{"s", "q", "t", 1}};
    ASSERT_TRUE(Put("f" + std::to_string(i) + ".com", r).ok());
  }
  EXPECT_EQ(store_->record_count(), 500u);
  // Writes issued after FlushAll land after it.
  std::optional<Status> flushed, put_after;
  store_->FlushAll([&](Status s) { flushed = s; });
  store_->Put("after.com", MakeRecord("after.com"), [&](Status s) { put_after = s; });
  loop_.RunUntil([&] { return flushed.has_value() && put_after.has_value(); });
  ASSERT_TRUE(flushed->ok()) << flushed->ToString();
  EXPECT_EQ(store_->record_count(), 1u);
  EXPECT_EQ(ScanAll("", 100), std::vector<std::string>{"after.com"});
  EXPECT_TRUE(GetChain("f1.com").first.IsNotFound());
  ASSERT_TRUE(Reopen(4).ok());
  EXPECT_EQ(store_->record_count(), 1u);
  ASSERT_TRUE(FlushAll().ok());
  EXPECT_EQ(store_->record_count(), 0u);
}

TEST_F(RecordStoreTest, MetaKeyValue) {
  std::optional<Status> put;
  store_->PutMeta("t:com", "whois.verisign-grs.com", true, [&](Status s) { put = s; });
  ASSERT_TRUE(Wait(put).ok());
  for (std::string k : {"q:2024-05-01:whois.nic.uk", "q:2024-05-01:whois.denic.de", "q:x"}) {
    std::optional<Status> p;
    store_->PutMeta(k, "7", false, [&](Status s) { p = s; });
    ASSERT_TRUE(Wait(p).ok());
  }
  std::optional<std::pair<Status, std::string>> got;
  store_->GetMeta("t:com", [&](Status s, std::string v) { got.emplace(s, v); });
  auto [st, value] = Wait(got);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(value, "whois.verisign-grs.com");

  std::optional<std::pair<Status, std::vector<std::pair<std::string, std::string>>>> scanned;
  store_->ScanMeta("q:2024-05-01:", [&](Status s, auto kv) { scanned.emplace(s, kv); });
  auto [sst, kv] = Wait(scanned);
  ASSERT_TRUE(sst.ok());
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0].first, "q:2024-05-01:whois.denic.de");

  std::optional<Status> del;
  store_->DeleteMeta("t:com", false, [&](Status s) { del = s; });
  ASSERT_TRUE(Wait(del).ok());
  std::optional<std::pair<Status, std::string>> gone;
  store_->GetMeta("t:com", [&](Status s, std::string v) { gone.emplace(s, v); });
  EXPECT_TRUE(Wait(gone).first.IsNotFound());

  // Meta keys cannot reach records or the store's own metadata.
  for (std::string k : {"r:example.com", "m:layout", "c:x", "x", ""}) {
    std::optional<Status> bad;
    store_->PutMeta(k, "v", false, [&](Status s) { bad = s; });
    EXPECT_TRUE(Wait(bad).IsInvalidArgument()) << k;
  }
  EXPECT_EQ(store_->record_count(), 0u);
}

TEST_F(RecordStoreTest, CloseCompletesEveryQueuedCallback) {
  const int n = 2000;
  int ok = 0, closing = 0, other = 0;
  for (int i = 0; i < n; ++i) {
    std::string d = "c" + std::to_string(i) + ".com";
    store_->Put(d, MakeRecord(d), [&](Status s) {
      if (s.ok())
        ++ok;
      else if (s.IsIOError() && s.ToString().find("closing") != std::string::npos)
        ++closing;
      else
        ++other;
    });
  }
  store_.reset();
  loop_.RunPending();
  EXPECT_EQ(ok + closing, n);
  EXPECT_EQ(other, 0);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->record_count(), static_cast<uint64_t>(ok));
}

TEST_F(RecordStoreTest, StatsCountWork) {
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Put("st" + std::to_string(i) + ".com").ok());
  Get("st1.com");
  StoreStats s = store_->stats();
  EXPECT_GT(s.disk_bytes, 0u);
  EXPECT_GE(s.writes, 50u);
  EXPECT_GE(s.reads, 51u);
  EXPECT_NE(s.leveldb_stats.find("Compactions"), std::string::npos);
}

// kill -9 in the middle of a stream of writes: every acknowledged write survives, the store
// reopens without repair, and the count matches the records actually present.
TEST_F(RecordStoreTest, SurvivesKillNine) {
  store_.reset();
  std::string db = dir_.Sub("crash");
  int acks = -1;
  // A small memtable forces memtable flushes and compactions meanwhile.
  pid_t pid = StartWriterChild(db, 64 << 10, 200, &acks);
  ASSERT_GT(pid, 0);
  int last_acked = ReadAcks(acks, 3000);
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  last_acked = std::max(last_acked, ReadAcks(acks, INT32_MAX));
  close(acks);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
  ASSERT_GE(last_acked, 2999);

  ASSERT_TRUE(OpenAt(db).ok());
  for (int i = 0; i <= last_acked; i += 97)
    EXPECT_TRUE(Get("k" + std::to_string(i) + ".com").first.ok()) << i;
  EXPECT_TRUE(Get("k" + std::to_string(last_acked) + ".com").first.ok());
  EXPECT_EQ(store_->record_count(), ScanAll("", 1000).size());
  EXPECT_GE(store_->record_count(), static_cast<uint64_t>(last_acked + 1));
}

// ---- TryGetNow: a Get answered on the caller's thread when it needs neither worker nor disk ----

TEST_F(RecordStoreTest, ReadNowAnswersWhatIsInMemory) {
  Record rec = MakeRecord("a.com");
  rec.chain = {{"s", "q", "t", 1}};
  ASSERT_TRUE(Put("a.com", rec).ok());
  Record got;
  ASSERT_EQ(store_->TryGetNow("a.com", &got), RecordStore::ReadNow::kFound);
  rec.chain.clear();  // the head only, as Get
  EXPECT_EQ(got, rec);
  EXPECT_EQ(store_->TryGetNow("b.com", &got), RecordStore::ReadNow::kAbsent);
}

TEST_F(RecordStoreTest, ReadNowNeverOvertakesAWriteIssuedBeforeIt) {
  ASSERT_TRUE(Put("a.com", MakeRecord("a.com", 1000)).ok());
  ASSERT_TRUE(Put("b.com").ok());
  Record got;
  // Until a write's completion has run, a read of its shard goes through the worker, after the
  // write; other shards are not held up.
  std::optional<Status> put;
  store_->Put("a.com", MakeRecord("a.com", 2000), [&](Status s) { put = s; });
  EXPECT_EQ(store_->TryGetNow("a.com", &got), RecordStore::ReadNow::kDeferred);
  loop_.RunUntil([&] { return put.has_value(); });
  ASSERT_EQ(store_->TryGetNow("a.com", &got), RecordStore::ReadNow::kFound);
  EXPECT_EQ(got.fetched_at_ms, 2000);

  std::optional<bool> deleted;
  store_->Delete("a.com", [&](Status, bool existed) { deleted = existed; });
  EXPECT_EQ(store_->TryGetNow("a.com", &got), RecordStore::ReadNow::kDeferred);
  loop_.RunUntil([&] { return deleted.has_value(); });
  EXPECT_EQ(store_->TryGetNow("a.com", &got), RecordStore::ReadNow::kAbsent);

  std::optional<Status> updated;
  store_->Update(
      "b.com", [](const Record*) { return RecordUpdate{.put = MakeRecord("b.com", 3000)}; }, 0,
      [&](Status s, RecordUpdate) { updated = s; });
  EXPECT_EQ(store_->TryGetNow("b.com", &got), RecordStore::ReadNow::kDeferred);
  loop_.RunUntil([&] { return updated.has_value(); });
  ASSERT_EQ(store_->TryGetNow("b.com", &got), RecordStore::ReadNow::kFound);
  EXPECT_EQ(got.fetched_at_ms, 3000);

  std::optional<Status> flushed;
  store_->FlushAll([&](Status s) { flushed = s; });
  EXPECT_EQ(store_->TryGetNow("b.com", &got), RecordStore::ReadNow::kDeferred);
  loop_.RunUntil([&] { return flushed.has_value(); });
  EXPECT_EQ(store_->TryGetNow("b.com", &got), RecordStore::ReadNow::kAbsent);
}

TEST_F(RecordStoreTest, ReadNowLeavesDamageToTheWorker) {
  store_.reset();
  WriteRaw(dir_.Sub("db"), {{"r:bad.com", "\x01\x01"}});
  ASSERT_TRUE(Open().ok());
  Record got;
  EXPECT_EQ(store_->TryGetNow("bad.com", &got), RecordStore::ReadNow::kDeferred);
  EXPECT_EQ(LoggedCount("bad.com"), 0u);
  EXPECT_TRUE(Get("bad.com").first.IsNotFound());
  EXPECT_EQ(LoggedCount("bad.com"), 1u) << "the worker reports it";
}

}  // namespace
}  // namespace storage
