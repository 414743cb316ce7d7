// server::FleetBacklog in one process, on a real record store and a real redis-server: a drain
// shares what the local store holds now (a deleted record and a fallback are dropped), keeps its
// entries while Redis is gone, and a domain whose write fails again while it is drained is kept.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "fresh_record.h"
#include "one_redis_test.h"
#include "redis_server.h"
#include "server/fleet_backlog.h"
#include "server/loop_executor.h"
#include "storage/record_store.h"
#include "temp_dir.h"
#include "uv_test_loop.h"

namespace server {
namespace {

using storage::Record;
using storage::Status;
using storage::fleet::FreshRecord;
using test_support::RedisCall;
using test_support::ReplyText;

class FleetBacklogDrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(redis_.Start(&error)) << error;
    executor_ = std::make_unique<LoopExecutor>(loop_.get());
    storage::StoreOptions opts;
    opts.dir = dir_.Sub("data");
    LoopExecutor* executor = executor_.get();
    opts.on_worker_idle = [executor] { executor->Wake(); };
    ASSERT_TRUE(
        storage::RecordStore::Open(
            opts, [executor](std::function<void()> fn) { executor->Queue(std::move(fn)); }, &store_)
            .ok());
    client_ = std::make_unique<storage::fleet::FleetClient>(
        loop_.get(), fleet_test::ClientOptionsFor({redis_.address()}));
    storage::fleet::RedisSharedRecords::Options shared;
    shared.on_write_failed = [this](const std::string& domain) { backlog_->Add(domain); };
    records_ = std::make_unique<storage::fleet::RedisSharedRecords>(client_.get(), shared,
                                                                    &storage::fleet::WallMs);
    MakeBacklog(FleetBacklog::kMaxEntries);
  }
  void MakeBacklog(uint64_t max_entries) {
    backlog_ = std::make_unique<FleetBacklog>(
        loop_.get(), store_.get(), records_.get(), [this] { return client_->reachable(); },
        max_entries);
    util::Status opened = backlog_->Open();
    ASSERT_TRUE(opened.ok()) << opened.message();
  }
  void TearDown() override {
    if (backlog_) backlog_->Close();
    if (client_) client_->Close();
    backlog_.reset();
    records_.reset();
    client_.reset();
    store_.reset();
    executor_->Close();
  }
  void Put(const std::string& domain, Record rec) {
    std::optional<Status> done;
    store_->Put(domain, std::move(rec), [&](Status st) { done = st; });
    ASSERT_TRUE(loop_.RunUntil([&] { return done.has_value(); }));
    ASSERT_TRUE(done->ok()) << done->ToString();
  }
  void AddAll(const std::vector<std::string>& domains, uint64_t expect) {
    for (const auto& d : domains) backlog_->Add(d);
    ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == expect; })) << backlog_->size();
  }
  bool InRedis(const std::string& domain) {
    auto c = redis_.Connect();
    return ReplyText(RedisCall(c.get(), {"EXISTS", "{wp:" + domain + "}r"}).get()) == "1";
  }

  test_support::TempDir dir_;
  test_support::UvTestLoop loop_;
  test_support::RedisServer redis_;
  std::unique_ptr<LoopExecutor> executor_;
  std::unique_ptr<storage::RecordStore> store_;
  std::unique_ptr<storage::fleet::FleetClient> client_;
  std::unique_ptr<storage::fleet::RedisSharedRecords> records_;
  std::unique_ptr<FleetBacklog> backlog_;
};

TEST_F(FleetBacklogDrainTest, ADrainSharesWhatTheStoreHoldsNow) {
  Put("kept.test", FreshRecord("kept.test"));
  Record fallback = FreshRecord("fallback.test");
  fallback.status = storage::RecordStatus::kFallback;
  Put("fallback.test", fallback);
  // deleted.test has no record any more.
  AddAll({"kept.test", "fallback.test", "deleted.test", "kept.test"}, 3);
  backlog_->Resume();
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == 0; })) << backlog_->size();
  EXPECT_EQ(backlog_->shared(), 1u);
  EXPECT_TRUE(InRedis("kept.test"));
  EXPECT_FALSE(InRedis("fallback.test"));
  EXPECT_FALSE(InRedis("deleted.test"));
  std::string info;
  backlog_->AppendInfo(&info);
  EXPECT_EQ(info, "fleet_backlog:0\r\nfleet_backlog_shared:1\r\nfleet_backlog_dropped:0\r\n");
}

TEST_F(FleetBacklogDrainTest, EntriesStayWhileRedisIsGoneAndLeaveOnceItAcknowledges) {
  Put("a.test", FreshRecord("a.test"));
  redis_.Stop();
  records_->Publish("a.test", FreshRecord("a.test"));  // fails: reported, kept
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == 1; }));
  backlog_->Resume();
  ASSERT_TRUE(loop_.RunUntil([&] { return records_->stats().write_errors >= 2; }));
  loop_.RunUntil([] { return false; }, std::chrono::milliseconds(200));
  EXPECT_EQ(backlog_->size(), 1u);
  EXPECT_EQ(backlog_->shared(), 0u);
  std::string error;
  ASSERT_TRUE(redis_.Start(&error)) << error;
  // The server calls Resume when the client sees Redis answer again.
  ASSERT_TRUE(loop_.RunUntil([&] {
    backlog_->Resume();
    return backlog_->size() == 0;
  }));
  EXPECT_EQ(backlog_->shared(), 1u);
  EXPECT_TRUE(InRedis("a.test"));
}

TEST_F(FleetBacklogDrainTest, AWriteThatFailsAgainWhileItsEntryIsDrainedIsKept) {
  Put("a.test", FreshRecord("a.test"));
  AddAll({"a.test"}, 1);
  backlog_->Resume();
  // Its backlog write is on its way; a newer record is stored and its write fails meanwhile.
  ASSERT_TRUE(loop_.RunUntil([&] { return records_->stats().writes_in_flight == 1; }));
  Record newer = FreshRecord("a.test");
  newer.fetched_at_ms += 1000;
  newer.json = R"({"domain":"a.test","status":"registered","newer":true})";
  store_->Put("a.test", newer, [](Status) {});
  backlog_->Add("a.test");
  // The entry leaves once acknowledged, then comes back, and is drained again (the retry
  // timer): the newer record reaches Redis.
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->shared() == 2; })) << backlog_->size();
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == 0; }));
  std::optional<Record> got;
  records_->Fetch("a.test", [&](Status st, Record rec) {
    EXPECT_TRUE(st.ok()) << st.ToString();
    got = rec;
  });
  ASSERT_TRUE(loop_.RunUntil([&] { return got.has_value(); }));
  EXPECT_EQ(got->json, newer.json);
}

// The failed writes of one loop turn are queued together, all or none: past the bound they are
// only counted.
TEST_F(FleetBacklogDrainTest, TheFailedWritesOfATurnPastTheBoundAreOnlyCounted) {
  MakeBacklog(3);
  backlog_->Add("a.test");
  backlog_->Add("b.test");
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == 2; }));
  backlog_->Add("c.test");
  backlog_->Add("d.test");
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->dropped() == 2; }));
  EXPECT_EQ(backlog_->size(), 2u);
  backlog_->Add("c.test");
  ASSERT_TRUE(loop_.RunUntil([&] { return backlog_->size() == 3; }));
  EXPECT_EQ(backlog_->dropped(), 2u);
}

}  // namespace
}  // namespace server
