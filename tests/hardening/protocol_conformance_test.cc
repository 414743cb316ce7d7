// The cases of redis-server's own tests/unit/protocol.tcl that tests/server/protocol_test.cc
// does not already cover, replayed over raw sockets with Redis 7's exact texts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "proxy_process.h"

namespace {

using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::ReadAtLeast;
using test_support::ReadUntilClose;
using test_support::ReadUntilEndsWith;
using test_support::SendAll;

class ProtocolConformanceTest : public test_support::SharedProxyTest {};

// protocol.tcl "Out of range multibulk length": 3000000000 does not even fit in 32 bits.
TEST_F(ProtocolConformanceTest, OutOfRangeMultibulkLength) {
  EXPECT_EQ(ExchangeUntilClose("*3000000000\r\n"),
            "-ERR Protocol error: invalid multibulk length\r\n");
  EXPECT_EQ(ExchangeUntilClose("*1048577\r\n"),
            "-ERR Protocol error: invalid multibulk length\r\n");
}

// protocol.tcl "Wrong multibulk payload header": the third argument lacks its '$'.
TEST_F(ProtocolConformanceTest, WrongMultibulkPayloadHeader) {
  EXPECT_EQ(ExchangeUntilClose("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
            "-ERR Protocol error: expected '$', got 'f'\r\n");
}

// protocol.tcl "Negative / Out of range / Non-number multibulk payload length", each on an
// argument after the first.
TEST_F(ProtocolConformanceTest, BadPayloadLengthAfterTheFirstArgument) {
  for (const char* header : {"$-10", "$2000000000", "$blabla"}) {
    EXPECT_EQ(ExchangeUntilClose(std::string("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n") + header + "\r\n"),
              "-ERR Protocol error: invalid bulk length\r\n")
        << header;
  }
}

// protocol.tcl "Generic wrong number of args": `ping x y z`.
TEST_F(ProtocolConformanceTest, GenericWrongNumberOfArgs) {
  std::string want = "-ERR wrong number of arguments for 'ping' command\r\n";
  EXPECT_EQ(Exchange("*4\r\n$4\r\nping\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n", want.size()), want);
  EXPECT_EQ(Exchange("ping x y z\r\n", want.size()), want);
}

// protocol.tcl "Unbalanced number of quotes": the error closes the connection, so the PING
// written behind it is never answered.
TEST_F(ProtocolConformanceTest, UnbalancedNumberOfQuotes) {
  EXPECT_EQ(ExchangeUntilClose("set \"\"\"test-key\"\"\" test-value\r\nping\r\n"),
            "-ERR Protocol error: unbalanced quotes in request\r\n");
}

// protocol.tcl "Protocol desync regression test #1..#3": a NUL, "*" NUL or "$" NUL followed by
// endless bytes without a newline must end in a protocol error and a closed connection, not
// in a server that buffers forever.
TEST_F(ProtocolConformanceTest, ProtocolDesyncWithEndlessGarbage) {
  struct Case {
    std::string seq;
    std::string want;
  };
  const Case cases[] = {
      {std::string("\0", 1), "-ERR Protocol error: too big inline request\r\n"},
      {std::string("*\0", 2), "-ERR Protocol error: too big mbulk count string\r\n"},
      {std::string("$\0", 2), "-ERR Protocol error: too big inline request\r\n"},
  };
  for (const Case& c : cases) {
    int fd = ConnectRaw(proxy_->port());
    ASSERT_GE(fd, 0);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string payload(1024, 'A');
    std::string pending = c.seq + payload;
    std::string answer;
    size_t sent = 0;
    constexpr size_t kMaxSent = 66 * 1024;  // past the 64 KiB limit, not far
    bool closed = false;
    auto deadline = std::chrono::steady_clock::now() + test_support::kPatience;
    // Keep writing until the server gives up (it must after 64 KiB) or 66 KiB went out; then
    // only read. Writing on after the server closed would make its kernel answer with a reset
    // that can overtake the error text, a race of the test and not of the server.
    while (!closed && std::chrono::steady_clock::now() < deadline) {
      bool want_write = sent < kMaxSent;
      pollfd p{fd, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
      if (poll(&p, 1, 100) <= 0) continue;
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
          answer.append(buf, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          closed = true;
        }
      }
      if (!closed && want_write && (p.revents & POLLOUT)) {
        size_t room = std::min(pending.size(), kMaxSent - sent);
        ssize_t n = send(fd, pending.data(), room, MSG_NOSIGNAL);
        if (n > 0) {
          sent += static_cast<size_t>(n);
          pending.erase(0, static_cast<size_t>(n));
          if (pending.empty()) pending = payload;
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
          closed = true;
        }
      }
    }
    close(fd);
    EXPECT_TRUE(closed) << "the server kept reading garbage after " << sent << " bytes";
    EXPECT_EQ(answer, c.want) << "sequence byte " << static_cast<int>(c.seq.back());
  }
  // The server recovers: a new connection is served.
  EXPECT_EQ(Exchange("PING\r\n", 7), "+PONG\r\n");
}

// protocol.tcl "raw protocol response" (and its deferred twin): a null reply is exactly
// "$-1\r\n" in RESP2 and "_\r\n" in RESP3, alone or pipelined.
TEST_F(ProtocolConformanceTest, RawProtocolResponse) {
  EXPECT_EQ(Exchange("CLIENT GETNAME\r\n", 5), "$-1\r\n");
  EXPECT_EQ(Exchange("TTL nothing-here.test\r\n", 5), ":-2\r\n");
  EXPECT_EQ(Exchange("CLIENT GETNAME\r\nCLIENT GETNAME\r\nPING\r\n", 17),
            "$-1\r\n$-1\r\n+PONG\r\n");
  int fd = ConnectRaw(proxy_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "HELLO 3\r\nPING\r\n");  // the PING marks where the HELLO map ends
  std::string hello = ReadUntilEndsWith(fd, "+PONG\r\n");
  ASSERT_FALSE(hello.empty());
  EXPECT_EQ(hello[0], '%') << hello;
  SendAll(fd, "CLIENT GETNAME\r\nPING\r\n");
  EXPECT_EQ(ReadAtLeast(fd, 10), "_\r\n+PONG\r\n");
  close(fd);
}

// protocol.tcl "test large number of args": 20,002 arguments in one command.
TEST_F(ProtocolConformanceTest, LargeNumberOfArgs) {
  auto c = proxy_->Connect();
  ASSERT_TRUE(c);
  auto set = test_support::Command(
      c.get(), {"SET", "k2.test", R"({"domain":"k2.test","status":"registered"})"});
  ASSERT_TRUE(set);
  ASSERT_EQ(set->type, REDIS_REPLY_STATUS) << (set->str ? set->str : "");
  std::vector<std::string> args = {"EXISTS"};
  for (int i = 0; i < 10000; ++i) {
    args.push_back("k.test");
    args.push_back("v.test");
  }
  args.push_back("k2.test");
  args.push_back("v2.test");
  auto r = test_support::Command(c.get(), args);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER) << (r->str ? r->str : "");
  EXPECT_EQ(r->integer, 1);
  auto ping = test_support::Command(c.get(), {"PING"});
  ASSERT_TRUE(ping);
  EXPECT_STREQ(ping->str, "PONG");
}

}  // namespace
