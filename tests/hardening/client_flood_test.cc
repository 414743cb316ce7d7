// Hostile and careless clients: ten thousand at once, clients that send half a command and
// vanish, and clients that pipeline thousands of GETs and never read. The server must keep
// serving everyone else and account for every connection it drops.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using hardening::InfoInt;
using hardening::WaitUntil;
using test_support::Command;
using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::ReadAtLeast;
using test_support::SendAll;
using namespace std::chrono_literals;

constexpr int kManyClients = 10000;

bool ConnectedClientsIs(redisContext* c, int64_t want) {
  auto n = InfoInt(c, "clients", "connected_clients");
  return n && *n == want;
}

void ExpectPong(redisContext* c) {
  auto r = Command(c, {"PING"});
  ASSERT_TRUE(r) << "no reply: " << c->errstr;
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS);
  EXPECT_STREQ(r->str, "PONG");
}

// Redis raises its own RLIMIT_NOFILE to maxclients + 32 at start-up, so `maxclients 10000` holds
// on a host whose default soft limit is 1024. The proxy inherits a soft limit of 1024 here (the
// hard limit stays high) and is asked for 10,000 clients.
TEST(ManyClients, ProxyRaisesItsOwnOpenFilesLimitToFitMaxclients) {
  rlimit saved{};
  getrlimit(RLIMIT_NOFILE, &saved);
  if (saved.rlim_max < kManyClients + 64) GTEST_SKIP() << "hard RLIMIT_NOFILE too low to judge";
  rlimit low = saved;
  low.rlim_cur = 1024;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  ProxyProcess proxy({"--maxclients", std::to_string(kManyClients)});
  bool started = proxy.Start();
  setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_TRUE(started) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  pid_t pid = hardening::ServerPid(c.get());
  ASSERT_GT(pid, 0);
  EXPECT_GE(hardening::OpenFilesSoftLimit(pid), kManyClients + 32)
      << "the proxy keeps the inherited soft RLIMIT_NOFILE of 1024 although maxclients is "
      << kManyClients << " and the hard limit is " << saved.rlim_max
      << ": clients past ~1000 fail in accept() with EMFILE";
}

TEST(ManyClients, TenThousandConcurrentClientsPingThenAllLeave) {
  // Our 10,000 sockets and the proxy's 10,000 (it inherits this limit through fork).
  int64_t limit = hardening::RaiseOpenFilesLimit(kManyClients + 512);
  if (limit < kManyClients + 512)
    GTEST_SKIP() << "RLIMIT_NOFILE cannot be raised past " << limit << " here";
  ProxyProcess proxy({"--maxclients", "20000"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto admin = proxy.Connect();
  ASSERT_TRUE(admin);
  pid_t pid = hardening::ServerPid(admin.get());
  ASSERT_GT(pid, 0);
  ASSERT_GE(hardening::OpenFilesSoftLimit(pid), kManyClients + 32);

  std::vector<int> fds;
  fds.reserve(kManyClients);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kManyClients; ++i) {
    int fd = ConnectRaw(proxy.port());
    if (fd < 0) break;
    fds.push_back(fd);
  }
  ASSERT_EQ(fds.size(), static_cast<size_t>(kManyClients)) << "connect() failed";
  for (int fd : fds) SendAll(fd, "PING\r\n");
  int pongs = 0;
  for (int fd : fds) pongs += ReadAtLeast(fd, 7) == "+PONG\r\n";
  EXPECT_EQ(pongs, kManyClients);
  auto connected = InfoInt(admin.get(), "clients", "connected_clients");
  EXPECT_EQ(connected.value_or(-1), kManyClients + 1);
  int64_t rss = hardening::ResidentBytes(pid);
  std::cout << "[ info ] " << kManyClients << " clients connected and answered in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - t0)
                   .count()
            << " ms; proxy RSS " << rss / (1 << 20) << " MiB\n";

  for (int fd : fds) close(fd);
  fds.clear();
  EXPECT_TRUE(WaitUntil([&] { return ConnectedClientsIs(admin.get(), 1); }))
      << "connected_clients stayed at "
      << InfoInt(admin.get(), "clients", "connected_clients").value_or(-1);
  ExpectPong(admin.get());
  auto fresh = proxy.Connect();
  ASSERT_TRUE(fresh);
  ExpectPong(fresh.get());
  EXPECT_EQ(InfoInt(admin.get(), "stats", "rejected_connections").value_or(-1), 0);
}

TEST(HalfCommands, ClientsThatSendHalfACommandAndVanishLeakNothing) {
  ProxyProcess proxy;
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto admin = proxy.Connect();
  ASSERT_TRUE(admin);
  // Cut at every kind of place: inside a bulk, inside a header, after a full header, inline.
  const std::vector<std::string> halves = {
      "*2\r\n$3\r\nGET\r\n$20\r\nexam",
      "*2\r\n$3\r\nGET\r\n$2",
      "*2\r\n$3\r\nGET\r\n",
      "*2\r",
      "GET exam",
      "*3\r\n$3\r\nSET\r\n$6\r\nx.test\r\n$100000\r\n{\"domain\"",
  };
  constexpr int kRounds = 60;  // 360 clients
  for (int round = 0; round < kRounds; ++round) {
    std::vector<int> fds;
    for (const auto& h : halves) {
      int fd = ConnectRaw(proxy.port());
      ASSERT_GE(fd, 0);
      SendAll(fd, h);
      fds.push_back(fd);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((round + i) % 2) {  // half of them vanish with a reset instead of a FIN
        linger lg{1, 0};
        setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
      close(fds[i]);
    }
  }
  EXPECT_TRUE(WaitUntil([&] { return ConnectedClientsIs(admin.get(), 1); }))
      << "connected_clients stayed at "
      << InfoInt(admin.get(), "clients", "connected_clients").value_or(-1);
  ExpectPong(admin.get());
  // A half command from a client that stays is finished later and answered.
  int fd = ConnectRaw(proxy.port());
  SendAll(fd, "*2\r\n$4\r\nECHO\r\n$5\r\nhel");
  usleep(100 * 1000);
  SendAll(fd, "lo\r\n");
  EXPECT_EQ(ReadAtLeast(fd, 11), "$5\r\nhello\r\n");
  close(fd);
}

TEST(SlowReaders, ClientsThatNeverReadAreClosedAndOthersUnaffected) {
  ProxyProcess proxy({"--client-output-buffer-soft", "256kb", "--client-output-buffer-hard", "2mb",
                      "--client-output-timeout", "2"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto good = proxy.Connect();
  ASSERT_TRUE(good);
  const std::string domain = "stored.test";
  auto set = Command(good.get(), {"SET", domain, hardening::RecordJson(domain, 40)});
  ASSERT_TRUE(set);
  ASSERT_EQ(set->type, REDIS_REPLY_STATUS) << (set->str ? set->str : "");
  auto first = Command(good.get(), {"GET", domain});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->type, REDIS_REPLY_STRING);
  const std::string json(first->str, first->len);

  constexpr int kBadClients = 4, kGets = 5000;
  std::string get =
      "*2\r\n$3\r\nGET\r\n$" + std::to_string(domain.size()) + "\r\n" + domain + "\r\n";
  std::string batch;
  for (int i = 0; i < kGets; ++i) batch += get;
  std::vector<int> bad;
  for (int i = 0; i < kBadClients; ++i) {
    int fd = ConnectRaw(proxy.port());
    ASSERT_GE(fd, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    timeval tv{3, 0};  // the server may stop reading us: never block forever on send
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SendAll(fd, batch);
    bad.push_back(fd);
  }
  // Meanwhile a well-behaved client is served correctly and promptly.
  for (int i = 0; i < 200; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = Command(good.get(), {"GET", domain});
    ASSERT_TRUE(r) << good->errstr;
    ASSERT_EQ(std::string(r->str, r->len), json);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  }
  // Every reader that never reads is dropped: at once over the hard limit, or after
  // client-output-timeout above the soft one (the cron runs every second).
  EXPECT_TRUE(WaitUntil([&] { return ConnectedClientsIs(good.get(), 1); }))
      << "connected_clients stayed at "
      << InfoInt(good.get(), "clients", "connected_clients").value_or(-1) << "\n"
      << proxy.log();
  EXPECT_EQ(InfoInt(good.get(), "stats", "client_output_buffer_limit_disconnections").value_or(-1),
            kBadClients);
  for (int fd : bad) close(fd);
  auto r = Command(good.get(), {"GET", domain});
  ASSERT_TRUE(r);
  EXPECT_EQ(std::string(r->str, r->len), json);
}

}  // namespace
