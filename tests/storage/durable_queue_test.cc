// MetaTransaction (all-or-nothing meta writes on one worker) and DurableQueue built on it: FIFO
// per group, one entry per name, a bound that takes all or nothing, counts that survive a reopen
// and a kill -9 with nothing acknowledged lost.
#include "storage/durable_queue.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>

#include "storage/meta_transaction.h"
#include "tests/storage/record_store_fixture.h"
#include "tests/storage/test_loop.h"

namespace storage {
namespace {

using storage::testing::TestLoop;

// The store as the record store tests open it, and a queue under "p:" on it.
class DurableQueueTest : public RecordStoreTest {
 protected:
  void SetUp() override { ASSERT_TRUE(Open().ok()); }
  Status Open() {
    Status st = RecordStoreTest::Open();
    if (!st.ok()) return st;
    queue_ = std::make_unique<DurableQueue>(store_.get(), "p:");
    std::optional<Status> res;
    queue_->Open([&](Status s) { res = s; });
    return Wait(res);
  }
  Status Reopen() {
    queue_.reset();
    store_.reset();
    loop_.RunPending();
    return Open();
  }
  DurableQueue::AddResult Add(std::vector<DurableQueue::Item> items, uint64_t max = 1000) {
    std::optional<std::pair<Status, DurableQueue::AddResult>> res;
    queue_->Add(std::move(items), max,
                [&](Status s, DurableQueue::AddResult r) { res.emplace(s, r); });
    auto [st, r] = Wait(res);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return r;
  }
  std::vector<DurableQueue::Entry> Peek(const std::string& group, uint64_t after = 0,
                                        size_t limit = 100) {
    std::optional<std::pair<Status, std::vector<DurableQueue::Entry>>> res;
    queue_->Peek(group, after, limit,
                 [&](Status s, std::vector<DurableQueue::Entry> e) { res.emplace(s, e); });
    auto [st, entries] = Wait(res);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return entries;
  }
  void Remove(const std::string& group, const DurableQueue::Entry& e) {
    std::optional<Status> res;
    queue_->Remove(group, e, [&](Status s) { res = s; });
    EXPECT_TRUE(Wait(res).ok());
  }
  // Runs `fn` as a meta transaction routed by "x:" and waits for its status.
  Status RunMeta(std::function<Status(MetaTransaction&)> fn) {
    std::optional<Status> res;
    store_->RunMetaTransaction("x:", std::move(fn), false, [&](Status s) { res = s; });
    return Wait(res);
  }
  // Add's status, for items the queue refuses.
  Status AddStatus(std::vector<DurableQueue::Item> items) {
    std::optional<std::pair<Status, DurableQueue::AddResult>> res;
    queue_->Add(std::move(items), 10,
                [&](Status s, DurableQueue::AddResult r) { res.emplace(s, r); });
    return Wait(res).first;
  }
  static std::vector<std::string> Names(const std::vector<DurableQueue::Entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.name);
    return out;
  }

  std::unique_ptr<DurableQueue> queue_;
};

TEST_F(DurableQueueTest, TransactionWritesAllOrNothingAndSeesItsOwnWrites) {
  ASSERT_TRUE(RunMeta([](MetaTransaction& txn) {
                txn.Put("x:a", "1");
                std::string v;
                Status st = txn.Get("x:a", &v);
                if (!st.ok() || v != "1") return Status::Corruption("own write not seen");
                txn.Delete("x:a");
                if (!txn.Get("x:a", &v).IsNotFound()) {
                  return Status::Corruption("own delete not seen");
                }
                txn.Put("x:b", "2");
                return Status::OK();
              }).ok());
  // A failing transaction writes nothing, even what it put before failing.
  EXPECT_TRUE(RunMeta([](MetaTransaction& txn) {
                txn.Put("x:c", "3");
                return Status::IOError("changed my mind");
              }).IsIOError());
  // A key that is not a meta key fails the transaction.
  EXPECT_TRUE(RunMeta([](MetaTransaction& txn) {
                txn.Put("x:d", "4");
                txn.Put("r:example.com", "not yours");
                return Status::OK();
              }).IsInvalidArgument());
  std::optional<std::vector<std::pair<std::string, std::string>>> rows;
  store_->ScanMeta("x:",
                   [&](Status, std::vector<std::pair<std::string, std::string>> r) { rows = r; });
  EXPECT_EQ(Wait(rows), (std::vector<std::pair<std::string, std::string>>{{"x:b", "2"}}));
}

TEST_F(DurableQueueTest, FifoPerGroupAndOneEntryPerName) {
  auto r = Add({{"whois.a", "1.test"},
                {"whois.b", "2.test"},
                {"whois.a", "3.test"},
                {"whois.a", "1.test"}});  // a repeat within the call counts once
  EXPECT_EQ(r.added, 3u);
  EXPECT_EQ(r.size, 3u);
  r = Add({{"whois.a", "3.test"}, {"whois.a", "4.test"}});  // 3.test is queued already
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(queue_->size(), 4u);
  EXPECT_EQ(queue_->groups().at("whois.a"), 3u);
  EXPECT_EQ(queue_->groups().at("whois.b"), 1u);
  auto a = Peek("whois.a");
  EXPECT_EQ(Names(a), (std::vector<std::string>{"1.test", "3.test", "4.test"}));
  EXPECT_EQ(Names(Peek("whois.a", a[0].seq, 1)), std::vector<std::string>{"3.test"});
  EXPECT_EQ(Names(Peek("whois.b")), std::vector<std::string>{"2.test"});
  EXPECT_TRUE(Peek("whois.c").empty());
  // A group whose name extends another's is its own queue.
  Add({{"whois.a.b", "5.test"}});
  EXPECT_EQ(Peek("whois.a").size(), 3u);

  Remove("whois.a", a[0]);
  Remove("whois.a", a[0]);  // twice: no effect
  EXPECT_EQ(queue_->size(), 4u);
  EXPECT_EQ(Names(Peek("whois.a")), (std::vector<std::string>{"3.test", "4.test"}));
  // Once removed, a name may be queued again, at the back.
  EXPECT_EQ(Add({{"whois.a", "1.test"}}).added, 1u);
  EXPECT_EQ(Names(Peek("whois.a")), (std::vector<std::string>{"3.test", "4.test", "1.test"}));
  Remove("whois.b", Peek("whois.b")[0]);
  EXPECT_FALSE(queue_->groups().contains("whois.b"));
}

TEST_F(DurableQueueTest, TheBoundTakesAllOrNothing) {
  EXPECT_EQ(Add({{"g", "1.test"}, {"g", "2.test"}}, 3).added, 2u);
  auto r = Add({{"g", "3.test"}, {"g", "4.test"}}, 3);
  EXPECT_TRUE(r.full);
  EXPECT_EQ(r.added, 0u);
  EXPECT_EQ(r.size, 2u);
  EXPECT_EQ(queue_->size(), 2u);
  // Names already queued do not count against the bound.
  r = Add({{"g", "1.test"}, {"g", "3.test"}}, 3);
  EXPECT_FALSE(r.full);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(Peek("g").size(), 3u);
}

TEST_F(DurableQueueTest, BadItemsAreRefused) {
  EXPECT_TRUE(AddStatus({{"has space", "1.test"}}).IsInvalidArgument());
  EXPECT_TRUE(AddStatus({{"g", ""}}).IsInvalidArgument());
  EXPECT_EQ(queue_->size(), 0u);
}

TEST_F(DurableQueueTest, CountsAndOrderSurviveAReopen) {
  Add({{"g", "1.test"}, {"h", "2.test"}, {"g", "3.test"}});
  Remove("g", Peek("g")[0]);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(queue_->size(), 2u);
  EXPECT_EQ(queue_->groups().at("g"), 1u);
  EXPECT_EQ(Names(Peek("g")), std::vector<std::string>{"3.test"});
  // Sequence numbers keep growing after a reopen, so new entries go to the back.
  Add({{"g", "4.test"}});
  EXPECT_EQ(Names(Peek("g")), (std::vector<std::string>{"3.test", "4.test"}));
}

constexpr const char* kQueueChildDir = "WP_QUEUE_WRITER_DIR";

// The child of the kill test below: adds names one by one and removes every third, telling the
// parent after each acknowledgement ("+name", "?name" before a removal is issued, "-name" once
// it is acknowledged), until it is killed. Skipped when run any other way.
TEST(DurableQueueWriterChild, AddsAndRemovesUntilKilled) {
  const char* dir = std::getenv(kQueueChildDir);
  if (dir == nullptr) GTEST_SKIP() << "runs only as the child of a crash test";
  TestLoop child_loop;
  std::unique_ptr<RecordStore> s;
  StoreOptions o;
  o.dir = dir;
  o.write_buffer_bytes = 64 << 10;
  if (!RecordStore::Open(o, child_loop.post(), &s).ok()) _exit(2);
  DurableQueue q(s.get(), "p:");
  bool opened = false;
  q.Open([&](Status st) {
    if (!st.ok()) _exit(3);
    opened = true;
  });
  child_loop.RunUntil([&] { return opened; });
  auto tell = [&](const std::string& line) {
    if (write(kChildAckFd, line.data(), line.size()) < 0) _exit(6);
  };
  for (int i = 0;; ++i) {
    std::string name = "n" + std::to_string(i) + ".test";
    bool done = false;
    q.Add({{"g", name}}, 1u << 30, [&](Status st, DurableQueue::AddResult) {
      if (!st.ok()) _exit(4);
      done = true;
    });
    child_loop.RunUntil([&] { return done; });
    tell("+" + name + "\n");
    if (i % 3 != 0) continue;
    done = false;
    std::vector<DurableQueue::Entry> head;
    q.Peek("g", 0, 1, [&](Status, std::vector<DurableQueue::Entry> e) {
      head = e;
      done = true;
    });
    child_loop.RunUntil([&] { return done; });
    if (head.empty()) _exit(7);
    tell("?" + head[0].name + "\n");
    done = false;
    q.Remove("g", head[0], [&](Status st) {
      if (!st.ok()) _exit(5);
      done = true;
    });
    child_loop.RunUntil([&] { return done; });
    tell("-" + head[0].name + "\n");
  }
}

TEST_F(DurableQueueTest, KillNineLosesNoAcknowledgedEntryOrRemoval) {
  queue_.reset();
  store_.reset();
  loop_.RunPending();
  int ack_fd = -1;
  pid_t pid = StartChildTest("DurableQueueWriterChild.AddsAndRemovesUntilKilled",
                             {std::string(kQueueChildDir) + "=" + dir_.Sub("db")}, &ack_fd);
  ASSERT_GT(pid, 0);
  std::string acked;
  char buf[4096];
  while (std::count(acked.begin(), acked.end(), '+') < 1500) {
    ssize_t n = read(ack_fd, buf, sizeof buf);
    if (n <= 0) break;
    acked.append(buf, static_cast<size_t>(n));
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  for (ssize_t n; (n = read(ack_fd, buf, sizeof buf)) > 0;)
    acked.append(buf, static_cast<size_t>(n));
  close(ack_fd);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child stopped by itself: " << wstatus;

  // Every acknowledged add that was not acknowledged as removed must be there; an add or removal
  // in flight at the kill may or may not have landed.
  std::set<std::string> expected, removing;
  size_t start = 0;
  for (size_t end; (end = acked.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = acked.substr(start, end - start);
    std::string name = line.substr(1);
    if (line[0] == '+') expected.insert(name);
    if (line[0] == '?') removing.insert(name);
    if (line[0] == '-') {
      expected.erase(name);
      removing.erase(name);
    }
  }
  ASSERT_TRUE(Open().ok());
  std::set<std::string> found;
  uint64_t after = 0;
  for (;;) {
    auto page = Peek("g", after, 500);
    if (page.empty()) break;
    for (const auto& e : page) found.insert(e.name);
    after = page.back().seq;
  }
  for (const std::string& name : expected) {
    if (removing.contains(name)) continue;
    EXPECT_TRUE(found.contains(name)) << name << " lost";
  }
  EXPECT_LE(found.size(), expected.size() + 1);  // at most the add in flight at the kill
  EXPECT_EQ(queue_->size(), found.size());       // the counts agree with the entries
}

}  // namespace
}  // namespace storage
