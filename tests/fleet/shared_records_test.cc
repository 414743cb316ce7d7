// RedisSharedRecords' writes against a real redis-server: at most max_writes_in_flight wait for
// Redis at once, the rest wait in a bounded local queue, and all arrive.
#include "storage/fleet/shared_records.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fresh_record.h"
#include "one_redis_test.h"

namespace storage::fleet {
namespace {

using test_support::RedisCall;
using test_support::ReplyText;

class SharedRecordsTest : public fleet_test::OneRedisTest {
 protected:
  void TearDown() override {
    records_.reset();
    OneRedisTest::TearDown();
  }
  void Make(size_t in_flight, size_t queued) {
    RedisSharedRecords::Options options;
    options.max_writes_in_flight = in_flight;
    options.max_queued_writes = queued;
    options.on_write_failed = [this](const std::string& domain) { failed_.push_back(domain); };
    records_ = std::make_unique<RedisSharedRecords>(client_.get(), options, &WallMs);
  }
  // Publishes d0.test .. d<n-1>.test.
  void PublishMany(int n) {
    for (int i = 0; i < n; ++i) {
      std::string domain = "d" + std::to_string(i) + ".test";
      records_->Publish(domain, FreshRecord(domain));
    }
  }
  // Runs the loop until no write is in flight or queued; false if that does not come in time.
  bool RunUntilNoWriteIsLeft() {
    return loop_.RunUntil([&] {
      return records_->stats().writes_in_flight == 0 && records_->stats().writes_queued == 0;
    });
  }
  std::unique_ptr<RedisSharedRecords> records_;
  std::vector<std::string> failed_;  // on_write_failed's domains
};

// Republish's outcome, once `done` has run.
struct Outcome {
  bool done = false;
  Status status;
  bool written = false;
};

TEST_F(SharedRecordsTest, WritesBeyondTheWindowWaitLocallyAndAllArrive) {
  Make(4, 1000);
  PublishMany(200);
  EXPECT_EQ(records_->stats().writes_in_flight, 4u);
  EXPECT_EQ(records_->stats().writes_queued, 196u);
  ASSERT_TRUE(RunUntilNoWriteIsLeft());
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
  ASSERT_TRUE(RunUntilNoWriteIsLeft());
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
  // Each reported with its domain, so the caller can share it later.
  EXPECT_EQ(failed_.size(), 20u);
}

TEST_F(SharedRecordsTest, EveryWriteThatFailedForGoodIsReportedWithItsDomain) {
  Make(2, 3);
  PublishMany(10);
  // Dropped from the full queue: reported at once.
  EXPECT_EQ(failed_,
            (std::vector<std::string>{"d5.test", "d6.test", "d7.test", "d8.test", "d9.test"}));
  ASSERT_TRUE(loop_.RunUntil([&] { return records_->stats().writes_in_flight == 0; }));
  EXPECT_EQ(failed_.size(), 5u);  // the others were written
  // Redis gone: the write fails for want of an answer.
  failed_.clear();
  redis_.Stop();
  records_->Publish("gone.test", FreshRecord("gone.test"));
  ASSERT_TRUE(loop_.RunUntil([&] { return !failed_.empty(); }));
  EXPECT_EQ(failed_, std::vector<std::string>{"gone.test"});
}

// The backlog's pace: Republish writes take the same window as Publish's, never more in flight.
TEST_F(SharedRecordsTest, RepublishedRecordsTakeTheWindowAndAllArrive) {
  Make(4, 1000);
  std::vector<Outcome> outcomes(200);
  for (int i = 0; i < 200; ++i) {
    std::string domain = "d" + std::to_string(i) + ".test";
    records_->Republish(domain, FreshRecord(domain), [&outcomes, i](Status st, bool written) {
      outcomes[i] = {true, st, written};
    });
  }
  EXPECT_EQ(records_->stats().writes_in_flight, 4u);
  EXPECT_EQ(records_->stats().writes_queued, 196u);
  ASSERT_TRUE(loop_.RunUntil([&] {
    for (const Outcome& o : outcomes)
      if (!o.done) return false;
    return true;
  }));
  EXPECT_EQ(records_->stats().most_writes_in_flight, 4u);
  for (const Outcome& o : outcomes) {
    EXPECT_TRUE(o.status.ok()) << o.status.ToString();
    EXPECT_TRUE(o.written);
  }
  EXPECT_EQ(records_->stats().republished, 200u);
  EXPECT_TRUE(failed_.empty());
  auto c = redis_.Connect();
  EXPECT_EQ(ReplyText(RedisCall(c.get(), {"DBSIZE"}).get()), "200");
  EXPECT_NE(ReplyText(RedisCall(c.get(), {"PTTL", "{wp:d199.test}r"}).get()), "-1");
}

TEST_F(SharedRecordsTest, RepublishNeverOverwritesANewerRecord) {
  Make(4, 1000);
  Record older = FreshRecord("a.test");
  Record newer = older;
  newer.fetched_at_ms += 1000;
  newer.json = R"({"domain":"a.test","status":"registered","newer":true})";
  records_->Publish("a.test", newer);
  ASSERT_TRUE(loop_.RunUntil([&] { return records_->stats().writes_in_flight == 0; }));
  auto read = [&] {
    Outcome got;
    records_->Fetch("a.test", [&](Status st, Record rec) {
      got = {true, st, false};
      got.written = rec.json == newer.json;
    });
    EXPECT_TRUE(loop_.RunUntil([&] { return got.done; }));
    return got.written;  // Redis holds `newer`
  };
  Outcome o;
  records_->Republish("a.test", older, [&](Status st, bool written) { o = {true, st, written}; });
  ASSERT_TRUE(loop_.RunUntil([&] { return o.done; }));
  EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_FALSE(o.written);
  EXPECT_EQ(records_->stats().republish_skipped, 1u);
  EXPECT_TRUE(read());
  // A newer local record replaces an older one in Redis.
  Record newest = newer;
  newest.fetched_at_ms += 1000;
  newest.json = R"({"domain":"a.test","status":"registered","newest":true})";
  o = {};
  records_->Republish("a.test", newest, [&](Status st, bool written) { o = {true, st, written}; });
  ASSERT_TRUE(loop_.RunUntil([&] { return o.done; }));
  EXPECT_TRUE(o.written);
  EXPECT_FALSE(read());
}

TEST_F(SharedRecordsTest, RepublishWithRedisGoneFailsAndIsNotReportedAsAFailedWrite) {
  Make(4, 1000);
  redis_.Stop();
  Outcome o;
  records_->Republish("a.test", FreshRecord("a.test"), [&](Status st, bool written) {
    o = {true, st, written};
  });
  ASSERT_TRUE(loop_.RunUntil([&] { return o.done; }));
  EXPECT_FALSE(o.status.ok());
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(failed_.empty());  // the caller still holds the domain
  // A fallback is never shared: nothing to do, at once.
  Record fallback = FreshRecord("b.test");
  fallback.status = RecordStatus::kFallback;
  o = {};
  records_->Republish("b.test", fallback, [&](Status st, bool written) {
    o = {true, st, written};
  });
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.status.ok());
}

}  // namespace
}  // namespace storage::fleet
