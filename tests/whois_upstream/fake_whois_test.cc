// The fake WHOIS server itself: its limits, its log and its control port. Tests of other modules
// trust what it logs, so it is tested with plain blocking sockets, independent of the client.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "loopback_socket.h"
#include "registry_limits.h"

namespace fake_whois {
namespace {

std::string ReadAll(int fd, int timeout_ms = 30000) {
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// One blocking WHOIS exchange.
std::string Whois(int port, const std::string& query) {
  int fd = test_support::ConnectLoopback(port);
  if (fd < 0) return "<connect failed>";
  std::string line = query + "\r\n";
  send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  std::string reply = ReadAll(fd);
  close(fd);
  return reply;
}

int Count(const std::vector<LogEntry>& log, const std::string& outcome) {
  int n = 0;
  for (const LogEntry& e : log) n += e.outcome == outcome;
  return n;
}

TEST(RegistryLimitsTest, SlidingWindow) {
  RegistryLimits limits({*ParseRateLimit("2/s"), 0, 0});
  EXPECT_EQ(limits.Admit(1000), Decision::kServe);
  EXPECT_EQ(limits.Admit(1500), Decision::kServe);
  EXPECT_EQ(limits.Admit(1999), Decision::kRefuseRate);
  EXPECT_EQ(limits.Admit(2000), Decision::kServe);  // the one at 1000 left the window
  EXPECT_EQ(limits.Admit(2400), Decision::kRefuseRate);
  EXPECT_EQ(limits.Admit(2500), Decision::kServe);
}

TEST(RegistryLimitsTest, ConcurrencyAndDaily) {
  RegistryLimits limits({{}, 1, 2});
  EXPECT_EQ(limits.Admit(0), Decision::kServe);
  EXPECT_EQ(limits.Admit(1), Decision::kRefuseConcurrency);
  limits.Finished();
  EXPECT_EQ(limits.Admit(2), Decision::kServe);
  limits.Finished();
  EXPECT_EQ(limits.Admit(3), Decision::kRefuseDaily);
  limits.Reset();
  EXPECT_EQ(limits.Admit(4), Decision::kServe);
}

TEST(RegistryLimitsTest, ParsesRates) {
  EXPECT_EQ(ParseRateLimit("5/s")->window_ms, 1000);
  EXPECT_EQ(ParseRateLimit("15/m")->window_ms, 60000);
  EXPECT_EQ(ParseRateLimit("100/h")->count, 100);
  EXPECT_EQ(ParseRateLimit("1800/15m")->window_ms, 15 * 60000);
  EXPECT_EQ(ParseRateLimit("0")->count, 0);
  EXPECT_FALSE(ParseRateLimit("5"));
  EXPECT_FALSE(ParseRateLimit("5/x"));
  EXPECT_FALSE(ParseRateLimit("/s"));
  EXPECT_FALSE(ParseRateLimit("5/0s"));
}

TEST(FakeWhoisLogTest, ParsesAndMeasures) {
  auto log = ParseLog(
      "100 150 example.com served 4343\n"
      "120 130 domain%20example.com refused_rate 4343\n"
      "broken line\n"
      "140 300 - no_query 4343\n"
      "1100 1200 b.example served 4343\n"
      "1150 1300 c.example hang 4343\n");
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[1].query, "domain example.com");
  EXPECT_EQ(log[2].query, "");
  EXPECT_EQ(log[0].port, 4343);
  EXPECT_EQ(MaxServedInWindow(log, 1000), 2);  // 100 and 1100 are 1000 ms apart: not both
  EXPECT_EQ(MaxServedInWindow(log, 1051), 3);  // a hang was admitted too
  EXPECT_EQ(MaxConcurrentServed(log), 2);
  EXPECT_FALSE(Admitted(log[1]));
  EXPECT_FALSE(Admitted(log[2]));
  EXPECT_TRUE(Admitted(log[4]));
}

TEST(FakeWhoisTest, AnswersFromFilesAndTemplates) {
  FakeWhoisProcess fake;
  fake.AddResponse("Example.COM", "exact answer for example.com\r\n");
  fake.SetDefaultResponse("Domain Name: {QUERY}\r\nquery was {query}\r\n");
  ASSERT_TRUE(fake.Start()) << fake.error();
  EXPECT_EQ(Whois(fake.port(), "EXAMPLE.com"), "exact answer for example.com\r\n");
  EXPECT_EQ(Whois(fake.port(), "other.example"),
            "Domain Name: OTHER.EXAMPLE\r\nquery was other.example\r\n");
  EXPECT_EQ(Whois(fake.port(), "../etc/passwd").find("Domain Name: ../ETC/PASSWD"), 0u);
}

TEST(FakeWhoisTest, BuiltInNoMatchWithoutResponses) {
  FakeWhoisProcess fake;
  ASSERT_TRUE(fake.Start()) << fake.error();
  EXPECT_EQ(Whois(fake.port(), "nothing.example"), "No match for \"NOTHING.EXAMPLE\".\r\n");
}

TEST(FakeWhoisTest, LogsEveryConnection) {
  FakeWhoisProcess fake;
  ASSERT_TRUE(fake.Start()) << fake.error();
  Whois(fake.port(), "domain example.com");
  Whois(fake.port(), "a.example");
  int fd = test_support::ConnectLoopback(fake.port());  // connects, sends nothing, leaves
  close(fd);
  fake.Stop();
  auto log = fake.ReadLog();
  ASSERT_EQ(log.size(), 3u) << fake.ReadLogText();
  EXPECT_EQ(log[0].query, "domain example.com");
  EXPECT_EQ(log[0].outcome, "served");
  EXPECT_EQ(log[0].port, fake.port());
  EXPECT_LE(log[0].start_ms, log[0].end_ms);
  EXPECT_LE(log[0].start_ms, log[1].start_ms);
  EXPECT_GT(log[0].start_ms, 1'600'000'000'000);  // epoch milliseconds
  EXPECT_EQ(log[2].outcome, "no_query");
  // The raw line format: "start_ms end_ms query outcome port".
  EXPECT_NE(fake.ReadLogText().find(" domain%20example.com served " + std::to_string(fake.port())),
            std::string::npos);
}

TEST(FakeWhoisTest, EnforcesRateLimit) {
  FakeWhoisProcess fake({"--limit-rate", "5/s"});
  ASSERT_TRUE(fake.Start()) << fake.error();
  std::vector<std::string> replies;
  for (int i = 0; i < 20; ++i) replies.push_back(Whois(fake.port(), "d" + std::to_string(i)));
  fake.Stop();
  auto log = fake.ReadLog();
  ASSERT_EQ(log.size(), 20u);
  EXPECT_LE(MaxServedInWindow(log, 1000), 5);
  int refused = 0;
  for (const auto& r : replies) refused += r == "%  Query rate limit exceeded\r\n";
  EXPECT_EQ(refused, Count(log, "refused_rate"));
  if (log.back().start_ms - log.front().start_ms < 1000) {
    // The usual case: all 20 within the first second.
    EXPECT_EQ(Count(log, "served"), 5);
    EXPECT_EQ(Count(log, "refused_rate"), 15);
  }
  EXPECT_EQ(replies[0], "No match for \"D0\".\r\n");
}

TEST(FakeWhoisTest, EnforcesConcurrencyLimit) {
  // The latency keeps the first two admitted queries open while the others arrive (3 s: plenty
  // for five connections, even on a loaded machine).
  FakeWhoisProcess fake(
      {"--limit-concurrency", "2", "--latency-ms", "3000", "--refusal-text", "busy"});
  ASSERT_TRUE(fake.Start()) << fake.error();
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) {
    int fd = test_support::ConnectLoopback(fake.port());
    ASSERT_GE(fd, 0);
    std::string q = "c" + std::to_string(i) + "\r\n";
    send(fd, q.data(), q.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  int answered = 0, busy = 0;
  for (int fd : fds) {
    std::string reply = ReadAll(fd);
    close(fd);
    answered += reply.rfind("No match for \"C", 0) == 0;
    busy += reply == "busy\r\n";
  }
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(busy, 3);
  fake.Stop();
  auto log = fake.ReadLog();
  EXPECT_EQ(Count(log, "served"), 2);
  EXPECT_EQ(Count(log, "refused_concurrency"), 3);
  EXPECT_EQ(MaxConcurrentServed(log), 2);
}

TEST(FakeWhoisTest, EnforcesDailyLimit) {
  FakeWhoisProcess fake({"--limit-daily", "3"});
  ASSERT_TRUE(fake.Start()) << fake.error();
  for (int i = 0; i < 5; ++i) Whois(fake.port(), "x" + std::to_string(i));
  fake.Stop();
  auto log = fake.ReadLog();
  EXPECT_EQ(Count(log, "served"), 3);
  EXPECT_EQ(Count(log, "refused_daily"), 2);
  EXPECT_EQ(log[3].outcome, "refused_daily");
}

TEST(FakeWhoisTest, ControlPortChangesBehaviourMidRun) {
  FakeWhoisProcess fake;
  ASSERT_TRUE(fake.Start()) << fake.error();
  EXPECT_EQ(fake.Control("ping"), "OK pong");
  EXPECT_FALSE(Whois(fake.port(), "a").empty());
  EXPECT_EQ(fake.Control("mode close"), "OK");
  EXPECT_EQ(Whois(fake.port(), "b"), "");
  EXPECT_EQ(fake.Control("mode normal"), "OK");
  EXPECT_EQ(fake.Control("limit-daily 1"), "OK");
  EXPECT_EQ(Whois(fake.port(), "c"), "%  Query rate limit exceeded\r\n");  // a and c counted
  EXPECT_EQ(fake.Control("reset-limits"), "OK");
  EXPECT_NE(Whois(fake.port(), "d"), "%  Query rate limit exceeded\r\n");
  EXPECT_EQ(fake.Control("mode sideways").rfind("ERR unknown mode", 0), 0u);
  EXPECT_EQ(fake.Control("limit-rate 5/fortnight").rfind("ERR bad rate", 0), 0u);
  std::string stats = fake.Control("stats");
  EXPECT_NE(stats.find("connections=4"), std::string::npos) << stats;
  EXPECT_NE(stats.find("close=1"), std::string::npos) << stats;
  EXPECT_NE(stats.find("refused_daily=1"), std::string::npos) << stats;
}

TEST(FakeWhoisTest, ServesSeveralPorts) {
  FakeWhoisProcess fake({}, 2);
  ASSERT_TRUE(fake.Start()) << fake.error();
  ASSERT_EQ(fake.ports().size(), 2u);
  EXPECT_NE(fake.port(0), fake.port(1));
  EXPECT_FALSE(Whois(fake.port(0), "a").empty());
  EXPECT_FALSE(Whois(fake.port(1), "b").empty());
  fake.Stop();
  auto log = fake.ReadLog();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].port, fake.port(1));
}

TEST(FakeWhoisTest, RefusesToBindAnythingButLoopback) {
  FakeWhoisProcess fake({"--bind", "0.0.0.0"});
  EXPECT_FALSE(fake.Start());
  EXPECT_NE(fake.error().find("only 127.0.0.1 is allowed"), std::string::npos) << fake.error();
}

TEST(FakeWhoisTest, StopsByItselfAfterMaxSeconds) {
  FakeWhoisProcess fake({"--max-seconds", "1", "--mode", "hang"});
  ASSERT_TRUE(fake.Start()) << fake.error();
  int fd = test_support::ConnectLoopback(fake.port());
  send(fd, "q\r\n", 3, MSG_NOSIGNAL);
  // The server exits within its cap: the hung connection is closed under us.
  std::string got = ReadAll(fd, 5000);
  close(fd);
  EXPECT_EQ(got, "");
  auto log = fake.ReadLog();
  ASSERT_EQ(log.size(), 1u) << fake.ReadLogText();
  EXPECT_EQ(log[0].outcome, "hang");
  EXPECT_EQ(fake.Stop(), 0);  // already exited with status 0 (reaped here)
}

TEST(FakeWhoisTest, EncodesToTheConfiguredCharset) {
  FakeWhoisProcess fake({"--charset", "iso-8859-1"});
  fake.SetDefaultResponse("S\xC3\xB8rensen\r\n");
  ASSERT_TRUE(fake.Start()) << fake.error();
  EXPECT_EQ(Whois(fake.port(), "x"), "S\xF8rensen\r\n");
}

}  // namespace
}  // namespace fake_whois
