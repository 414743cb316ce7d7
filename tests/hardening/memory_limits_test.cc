// Memory a client can make the proxy hold: input it has not finished sending, and replies it
// does not read. No input of any size may make the process allocate more than its limits
// allow (issue 14, items 5 and 6).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using hardening::InfoInt;
using hardening::ResidentBytes;
using hardening::WaitUntil;
using testing_support::Command;
using testing_support::ConnectRaw;
using testing_support::ProxyProcess;
using testing_support::SendAll;
using namespace std::chrono_literals;

// The sum of CLIENT LIST's `field=` over every client.
int64_t SumClientField(redisContext* c, const std::string& field) {
  auto r = Command(c, {"CLIENT", "LIST"});
  if (!r || r->type != REDIS_REPLY_STRING) return -1;
  std::istringstream lines(std::string(r->str, r->len));
  std::string line;
  int64_t sum = 0;
  while (std::getline(lines, line)) {
    size_t at = line.find(" " + field + "=");
    if (at == std::string::npos) continue;
    sum += std::stoll(line.substr(at + field.size() + 2));
  }
  return sum;
}

// Twenty clients each start a multibulk of 1,048,576 arguments and stop after 900,000 one-byte
// arguments (6.3 MB each, under the 32 MB query buffer limit). Before the fix each parsed
// argument cost a 24-byte position record on top of its 7 bytes on the wire (plus the vector's
// growth): 612 MB for 126 MB of input. An unfinished command may cost what its bytes cost.
TEST(QueryBuffer, UnfinishedMultibulksCostNoMoreThanTheirBytes) {
  ProxyProcess proxy;
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto admin = proxy.Connect();
  ASSERT_TRUE(admin);
  pid_t pid = hardening::ServerPid(admin.get());
  ASSERT_GT(pid, 0);
  const int64_t before = ResidentBytes(pid);

  constexpr int kClients = 20, kArgs = 900000;
  std::string body = "*1048576\r\n";
  body.reserve(body.size() + kArgs * 7);
  for (int i = 0; i < kArgs; ++i) body += "$1\r\nx\r\n";
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    int fd = ConnectRaw(proxy.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, body);
    fds.push_back(fd);
  }
  const int64_t wire = static_cast<int64_t>(body.size()) * kClients;
  // Everything sent has been read (and parsed as far as it goes) by the server.
  ASSERT_TRUE(WaitUntil([&] { return SumClientField(admin.get(), "qbuf") == wire; }, 30s))
      << SumClientField(admin.get(), "qbuf") << " of " << wire << " bytes read";
  const int64_t grown = ResidentBytes(pid) - before;
  std::cout << "[ info ] " << kClients << " unfinished multibulks of " << body.size()
            << " bytes: RSS grew by " << grown / (1 << 20) << " MiB for " << wire / (1 << 20)
            << " MiB of input\n";
  // Input buffers grow by doubling, and a freed smaller one may not be returned to the system
  // yet: up to about twice the bytes, never five times.
  EXPECT_LT(grown, wire * 5 / 2) << "the server holds " << grown / (1 << 20) << " MiB for "
                                 << wire / (1 << 20) << " MiB of unfinished commands";
  EXPECT_EQ(InfoInt(admin.get(), "clients", "connected_clients").value_or(-1), kClients + 1);
  for (int fd : fds) close(fd);
}

// A connection does not keep the memory of its largest command: its input buffer and its
// argument table go back once the command has run (CLIENT LIST's argv-mem and tot-mem).
TEST(QueryBuffer, ArgumentsOfACompleteCommandAreFreedAfterIt) {
  ProxyProcess proxy;
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  // One EXISTS with 200,000 names (invalid, so no storage work): its argument table is 3 MB.
  std::vector<std::string> argv = {"EXISTS"};
  for (int i = 0; i < 200000; ++i) argv.push_back("-");
  auto r = Command(c.get(), argv);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(r->integer, 0);
  // After it, the connection holds no more than a small command's worth.
  EXPECT_LT(SumClientField(c.get(), "argv-mem"), 64 * 1024);
  EXPECT_LT(SumClientField(c.get(), "tot-mem"), 256 * 1024);
}

}  // namespace
