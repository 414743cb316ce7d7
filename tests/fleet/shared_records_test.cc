// RedisSharedRecords' writes against a real redis-server: at most max_writes_in_flight wait for
// Redis at once, the rest wait in a bounded local queue, and all arrive.
#include "storage/fleet/shared_records.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fresh_record.h"
#include "redis_server.h"
#include "uv_test_loop.h"

namespace storage::fleet {
namespace {

using test_support::RedisCall;
using test_support::ReplyText;

class SharedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(redis_.Start(&error)) << error;
    ClientOptions o;
    ASSERT_TRUE(ParseSeeds({redis_.address()}, &o.seeds).ok());
    o.timeout_ms = 5000;
    client_ = std::make_unique<FleetClient>(loop_.get(), o);
  }
  void TearDown() override {
    records_.reset();
    if (client_) client_->Close();
    client_.reset();
  }
  void Make(size_t in_flight, size_t queued) {
    RedisSharedRecords::Options options;
    options.max_writes_in_flight = in_flight;
    options.max_queued_writes = queued;
    records_ = std::make_unique<RedisSharedRecords>(client_.get(), options, &WallMs);
  }
  // Publishes d0.test .. d<n-1>.test.
  void PublishMany(int n) {
    for (int i = 0; i < n; ++i) {
      std::string domain = "d" + std::to_string(i) + ".test";
      records_->Publish(domain, FreshRecord(domain));
    }
  }
  test_support::UvTestLoop loop_;
  test_support::RedisServer redis_;
  std::unique_ptr<FleetClient> client_;
  std::unique_ptr<RedisSharedRecords> records_;
};

TEST_F(SharedRecordsTest, WritesBeyondTheWindowWaitLocallyAndAllArrive) {
  Make(4, 1000);
  PublishMany(200);
  EXPECT_EQ(records_->stats().writes_in_flight, 4u);
  EXPECT_EQ(records_->stats().writes_queued, 196u);
  ASSERT_TRUE(loop_.RunUntil([&] {
    return records_->stats().writes_in_flight == 0 && records_->stats().writes_queued == 0;
  }));
  EXPECT_EQ(records_->stats().most_writes_in_flight, 4u);
  EXPECT_EQ(records_->stats().writes, 200u);
  EXPECT_EQ(records_->stats().write_errors, 0u);
  auto c = redis_.Connect();
  EXPECT_EQ(ReplyText(RedisCall(c.get(), {"DBSIZE"}).get()), "200");
  // Each with its expiry.
  EXPECT_NE(ReplyText(RedisCall(c.get(), {"PTTL", "{wp:d199.test}r"}).get()), "-1");
}

TEST_F(SharedRecordsTest, AFullQueueDropsAndCountsTheWrite) {
  Make(4, 10);
  PublishMany(50);
  EXPECT_EQ(records_->stats().writes_queued, 10u);
  EXPECT_EQ(records_->stats().write_errors, 36u);
  ASSERT_TRUE(loop_.RunUntil([&] {
    return records_->stats().writes_in_flight == 0 && records_->stats().writes_queued == 0;
  }));
  auto c = redis_.Connect();
  EXPECT_EQ(ReplyText(RedisCall(c.get(), {"DBSIZE"}).get()), "14");
}

// Redis gone: the writes in flight fail, and the queue with them (it would fail the same way).
TEST_F(SharedRecordsTest, AFailedWriteDropsTheQueue) {
  Make(2, 1000);
  PublishMany(20);
  client_->Close();
  EXPECT_EQ(records_->stats().writes_queued, 0u);
  EXPECT_EQ(records_->stats().writes_in_flight, 0u);
  EXPECT_EQ(records_->stats().write_errors, 20u);
}

}  // namespace
}  // namespace storage::fleet
