#include "server/slow_log.h"

#include <gtest/gtest.h>

#include "server/latency_monitor.h"

namespace server {
namespace {

std::vector<std::string_view> Args(std::initializer_list<std::string_view> a) { return a; }

TEST(SlowLog, RecordsOnlyCommandsAtLeastTheThreshold) {
  SlowLog log;
  auto get = Args({"GET", "example.com"});
  log.Record(get, 9999, 100, "127.0.0.1:5", "n", 10000, 128);
  EXPECT_EQ(log.size(), 0u);
  log.Record(get, 10000, 100, "127.0.0.1:5", "n", 10000, 128);
  ASSERT_EQ(log.size(), 1u);
  const SlowLogEntry* e = log.Newest(-1)[0];
  EXPECT_EQ(e->id, 0u);
  EXPECT_EQ(e->unix_time_s, 100);
  EXPECT_EQ(e->duration_us, 10000);
  EXPECT_EQ(e->args, (std::vector<std::string>{"GET", "example.com"}));
  EXPECT_EQ(e->client_addr, "127.0.0.1:5");
  EXPECT_EQ(e->client_name, "n");
}

TEST(SlowLog, NegativeThresholdDisablesAndZeroLogsEverything) {
  SlowLog log;
  auto ping = Args({"PING"});
  log.Record(ping, 1000000, 1, "a", "", -1, 128);
  EXPECT_EQ(log.size(), 0u);
  log.Record(ping, 0, 1, "a", "", 0, 128);
  EXPECT_EQ(log.size(), 1u);
}

TEST(SlowLog, KeepsTheNewestMaxLenEntriesNewestFirst) {
  SlowLog log;
  auto ping = Args({"PING"});
  for (int i = 0; i < 5; ++i) log.Record(ping, i, i, "a", "", 0, 3);
  auto all = log.Newest(-1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->id, 4u);
  EXPECT_EQ(all[2]->id, 2u);
  EXPECT_EQ(log.Newest(2).size(), 2u);
  log.Trim(1);
  EXPECT_EQ(log.size(), 1u);
  log.Reset();
  EXPECT_EQ(log.size(), 0u);
  log.Record(ping, 0, 1, "a", "", 0, 3);
  EXPECT_EQ(log.Newest(1)[0]->id, 5u);  // ids go on after a reset, as Redis's
  EXPECT_EQ(log.recorded(), 6u);
}

TEST(SlowLog, TrimsLongArgumentsAndLongCommandsAsRedis) {
  SlowLog log;
  std::string big(200, 'x');
  std::vector<std::string> owned = {"MGET"};
  for (int i = 0; i < 40; ++i) owned.push_back("d" + std::to_string(i) + ".com");
  owned[1] = big;
  std::vector<std::string_view> args(owned.begin(), owned.end());
  log.Record(args, 1, 1, "a", "", 0, 10);
  const SlowLogEntry* e = log.Newest(1)[0];
  ASSERT_EQ(e->args.size(), SlowLog::kMaxArgs);
  EXPECT_EQ(e->args[1], std::string(128, 'x') + "... (72 more bytes)");
  EXPECT_EQ(e->args.back(), "... (10 more arguments)");  // 41 arguments, 31 kept
}

TEST(LatencyHistogram, ReportsCumulativePowerOfTwoBucketsInMicroseconds) {
  LatencyHistogram h;
  h.Record(500);     // up to 1024 ns: the 1 µs bucket
  h.Record(1024);    // still the first
  h.Record(1500);    // up to 2048 ns
  h.Record(100000);  // 100 µs: up to 131072 ns
  EXPECT_EQ(h.calls(), 4u);
  auto c = h.Cumulative();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], (std::pair<int64_t, uint64_t>{1, 2}));
  EXPECT_EQ(c[1], (std::pair<int64_t, uint64_t>{2, 3}));
  EXPECT_EQ(c[2], (std::pair<int64_t, uint64_t>{131, 4}));
  EXPECT_EQ(h.total_ns(), 500u + 1024 + 1500 + 100000);
  EXPECT_DOUBLE_EQ(h.PercentileUs(50), 1.024);
  EXPECT_DOUBLE_EQ(h.PercentileUs(75), 2.048);
  EXPECT_DOUBLE_EQ(h.PercentileUs(99), 131.072);
  EXPECT_EQ(LatencyHistogram().PercentileUs(50), 0);
}

TEST(LatencyMonitor, EventsOnlyAboveTheThresholdWhenOn) {
  LatencyMonitor m;
  m.RecordCommand("get", true, 50'000'000, 1000, 0);  // monitor off
  EXPECT_TRUE(m.events().empty());
  EXPECT_EQ(m.histograms().at("get").calls(), 1u);
  m.RecordCommand("get", true, 4'000'000, 1000, 5);  // 4 ms < 5 ms
  EXPECT_TRUE(m.events().empty());
  m.RecordCommand("get", true, 7'000'000, 1001, 5);
  m.RecordCommand("info", false, 20'000'000, 1001, 5);
  m.RecordCommand("info", false, 6'000'000, 1001, 5);
  m.RecordCommand("info", false, 9'000'000, 1003, 5);
  const LatencyEvent& fast = m.events().at("fast-command");
  EXPECT_EQ(fast.latest.ms, 7);
  const LatencyEvent& slow = m.events().at("command");
  EXPECT_EQ(slow.latest.unix_time_s, 1003);
  EXPECT_EQ(slow.latest.ms, 9);
  EXPECT_EQ(slow.max_ms, 20);
  ASSERT_EQ(slow.history.size(), 2u);  // one sample per second: the largest
  EXPECT_EQ(slow.history[0].ms, 20);
  EXPECT_EQ(m.Reset({"command", "nope"}), 1u);
  EXPECT_EQ(m.Reset({}), 1u);
  EXPECT_TRUE(m.events().empty());
}

TEST(LatencyMonitor, HistoryKeepsTheLast160Seconds) {
  LatencyMonitor m;
  for (int i = 0; i < 200; ++i) m.AddSample("command", i, i);
  const LatencyEvent& e = m.events().at("command");
  ASSERT_EQ(e.history.size(), LatencyMonitor::kHistory);
  EXPECT_EQ(e.history.front().unix_time_s, 40);
  EXPECT_EQ(e.max_ms, 199);
}

}  // namespace
}  // namespace server
