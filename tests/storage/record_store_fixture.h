// The record store tests' fixture: blocking wrappers around the store's asynchronous API, what
// the store reports, and a writer in a child process for the crash tests.
#pragma once

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <sys/types.h>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/record_store.h"
#include "tests/storage/test_loop.h"
#include "tests/support/temp_dir.h"

namespace storage {

using storage::testing::TestLoop;
using test_support::TempDir;

inline Record MakeRecord(const std::string& domain, int64_t t = 1000) {
  Record r;
  r.status = RecordStatus::kRegistered;
  r.fetched_at_ms = t;
  r.stale_at_ms = t + 5000;
  r.json = "{\"domain\":\"" + domain + "\"}";
  return r;
}

// Wraps the store's asynchronous API in blocking calls that run the posted callbacks on this
// thread, and checks that no callback runs inside the call that took it.
class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Open().ok()); }
  // The store first: its workers may still report (a head mirror's build ends after the state
  // a test waits for), and what they report goes to log_, which is destroyed before store_.
  ~RecordStoreTest() override {
    store_.reset();
    loop_.RunPending();
  }

  // The options every test store uses in `dir` (default: the test's "db"); what the store
  // reports goes to logged().
  StoreOptions Options(const std::string& dir = "", int threads = 2) {
    StoreOptions o;
    o.dir = dir.empty() ? dir_.Sub("db") : dir;
    o.threads = threads;
    o.block_cache_bytes = 1 << 20;
    o.write_buffer_bytes = 1 << 20;
    o.log = [this](Severity, const std::string& message) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(message);
    };
    o.head_dictionaries = head_dictionaries_;
    o.head_dictionary = head_dictionary_;
    return o;
  }
  Status Open(int threads = 2) {
    return RecordStore::Open(Options("", threads), loop_.post(), &store_);
  }
  Status OpenAt(const std::string& dir) {
    return RecordStore::Open(Options(dir), loop_.post(), &store_);
  }
  // What the store reported so far.
  std::vector<std::string> logged() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }
  // How many reports contain `text`.
  size_t LoggedCount(const std::string& text) {
    size_t n = 0;
    for (const auto& line : logged()) n += line.find(text) != std::string::npos;
    return n;
  }
  Status Reopen(int threads = 2) {
    store_.reset();
    loop_.RunPending();
    return Open(threads);
  }

  template <typename T>
  T Wait(std::optional<T>& result) {
    EXPECT_FALSE(result.has_value()) << "callback ran inside the call";
    loop_.RunUntil([&] { return result.has_value(); });
    return std::move(*result);
  }

  Status Put(const std::string& d, Record r) {
    std::optional<Status> res;
    store_->Put(d, std::move(r), [&](Status s) { res = s; });
    return Wait(res);
  }
  Status Put(const std::string& d) { return Put(d, MakeRecord(d)); }
  std::pair<Status, Record> Get(const std::string& d) {
    std::optional<std::pair<Status, Record>> res;
    store_->Get(d, [&](Status s, Record r) { res.emplace(s, r); });
    return Wait(res);
  }
  std::pair<Status, std::vector<RawReply>> GetChain(const std::string& d) {
    std::optional<std::pair<Status, std::vector<RawReply>>> res;
    store_->GetChain(d, [&](Status s, std::vector<RawReply> c) { res.emplace(s, c); });
    return Wait(res);
  }
  std::pair<Status, bool> Delete(const std::string& d) {
    std::optional<std::pair<Status, bool>> res;
    store_->Delete(d, [&](Status s, bool existed) { res.emplace(s, existed); });
    return Wait(res);
  }
  struct ScanResult {
    Status status;
    uint64_t next = 0;
    std::vector<std::string> keys;
  };
  ScanResult ScanStep(uint64_t cursor, const std::string& match, size_t count) {
    std::optional<ScanResult> res;
    store_->Scan(cursor, match, count, [&](Status s, uint64_t next, std::vector<std::string> k) {
      res = ScanResult{s, next, std::move(k)};
    });
    return Wait(res);
  }
  // A full scan; fails the test if a step errs or a domain comes back twice.
  std::vector<std::string> ScanAll(const std::string& match, size_t count) {
    std::vector<std::string> all;
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int steps = 0;
    do {
      ScanResult r = ScanStep(cursor, match, count);
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      if (!r.status.ok()) break;
      for (auto& k : r.keys) {
        EXPECT_TRUE(seen.insert(k).second) << "returned twice: " << k;
        all.push_back(k);
      }
      EXPECT_TRUE(r.next == 0 || r.next > cursor) << "cursor did not advance";
      cursor = r.next;
      EXPECT_LT(++steps, 100000);
    } while (cursor != 0);
    return all;
  }
  Status FlushAll() {
    std::optional<Status> res;
    store_->FlushAll([&](Status s) { res = s; });
    return Wait(res);
  }
  // Replaces the record, archiving the one there.
  Status Archive(const std::string& d, Record next) {
    std::optional<Status> res;
    store_->Update(
        d,
        [next](const Record*) {
          RecordUpdate u;
          u.put = next;
          u.archive_current = true;
          return u;
        },
        8, [&](Status s, RecordUpdate) { res = s; });
    return Wait(res);
  }
  // The record's history, newest first (fails the test if it cannot be read).
  std::vector<Record> History(const std::string& d) {
    std::optional<std::pair<Status, std::vector<Record>>> res;
    store_->GetHistory(d, 100, [&](Status s, std::vector<Record> v) { res.emplace(s, v); });
    auto [st, versions] = Wait(res);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return versions;
  }

  // The stores' packing (none unless a test sets it before it opens one).
  std::vector<NamedDictionary> head_dictionaries_;
  uint8_t head_dictionary_ = 0;
  TempDir dir_;
  TestLoop loop_;
  std::unique_ptr<RecordStore> store_;
  std::mutex log_mu_;
  std::vector<std::string> log_;  // guarded by log_mu_
};

// Writes kv into a plain LevelDB database in dir (created if needed).
inline void WriteRaw(const std::string& dir, const std::map<std::string, std::string>& kv) {
  leveldb::Options o;
  o.create_if_missing = true;
  leveldb::DB* db = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(o, dir, &db).ok());
  for (auto& [k, v] : kv) ASSERT_TRUE(db->Put(leveldb::WriteOptions(), k, v).ok());
  delete db;
}

// The descriptor a child test started by StartChildTest writes its acknowledgements to.
inline constexpr int kChildAckFd = 3;
// Starts this test binary again (not a fork: see the .cc) running only `test_name`, with the
// environment `env` ("NAME=value"), its stdout and stderr to /dev/null and kChildAckFd the write
// end of a pipe whose read end is *ack_fd. Returns its pid, or -1.
pid_t StartChildTest(const std::string& test_name, const std::vector<std::string>& env,
                     int* ack_fd);
// Starts this test binary again as a child that opens the store in `dir` (with a memtable of
// `write_buffer_bytes`) and PUTs k0.com, k1.com, ... (JSON padded with `padding` bytes), writing
// each acknowledged index and a newline to *ack_fd, until it is killed. Returns its pid.
pid_t StartWriterChild(const std::string& dir, size_t write_buffer_bytes, size_t padding,
                       int* ack_fd);
// Reads acknowledgements from `fd` until `count` arrived (or the child stopped); returns the
// highest index acknowledged, or -1.
int ReadAcks(int fd, int count);

}  // namespace storage
