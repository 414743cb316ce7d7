// Raw-socket tests of the Redis protocol edge cases: the exact error texts of redis-server 7,
// flush-then-close after a protocol error, and long pipelines.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy_process.h"

namespace {

using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::ReadAtLeast;
using test_support::ReadUntilClose;
using test_support::SendAll;

class ProtocolTest : public test_support::SharedProxyTest {};

TEST_F(ProtocolTest, TooBigInlineRequest) {
  EXPECT_EQ(ExchangeUntilClose(std::string(70 * 1024, 'a')),
            "-ERR Protocol error: too big inline request\r\n");
}

TEST_F(ProtocolTest, TooBigMultibulkCountString) {
  EXPECT_EQ(ExchangeUntilClose("*" + std::string(70 * 1024, '1')),
            "-ERR Protocol error: too big mbulk count string\r\n");
}

TEST_F(ProtocolTest, InvalidMultibulkLength) {
  EXPECT_EQ(ExchangeUntilClose("*abc\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
  EXPECT_EQ(ExchangeUntilClose("*20000000\r\n"),
            "-ERR Protocol error: invalid multibulk length\r\n");
}

TEST_F(ProtocolTest, ExpectedDollar) {
  EXPECT_EQ(ExchangeUntilClose("*1\r\nfoo\r\n"), "-ERR Protocol error: expected '$', got 'f'\r\n");
}

TEST_F(ProtocolTest, InvalidBulkLength) {
  EXPECT_EQ(ExchangeUntilClose("*1\r\n$abc\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(ExchangeUntilClose("*1\r\n$-1\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(ExchangeUntilClose("*1\r\n$999999999999\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
}

TEST_F(ProtocolTest, UnbalancedQuotes) {
  EXPECT_EQ(ExchangeUntilClose("ECHO \"abc\r\n"),
            "-ERR Protocol error: unbalanced quotes in request\r\n");
}

TEST_F(ProtocolTest, RepliesBeforeTheErrorAreFlushedFirst) {
  EXPECT_EQ(ExchangeUntilClose("PING\r\n*1\r\nx\r\n"),
            "+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
}

TEST_F(ProtocolTest, EmptyAndNegativeMultibulkAreIgnored) {
  int fd = ConnectRaw(proxy_->port());
  SendAll(fd, "*0\r\n*-1\r\n*-10\r\n\r\n\n   \r\nPING\r\n");
  EXPECT_EQ(ReadAtLeast(fd, 7), "+PONG\r\n");
  close(fd);
}

TEST_F(ProtocolTest, InlineCommandsWithQuotesAndBareNewlines) {
  int fd = ConnectRaw(proxy_->port());
  SendAll(fd, "echo \"a b\\x41\"\nECHO 'c d'\r\n");
  EXPECT_EQ(ReadAtLeast(fd, 18), "$4\r\na bA\r\n$3\r\nc d\r\n");
  close(fd);
}

TEST_F(ProtocolTest, CommandSplitAcrossManyWrites) {
  int fd = ConnectRaw(proxy_->port());
  std::string cmd = "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n";
  for (char c : cmd) {
    SendAll(fd, std::string_view(&c, 1));
    usleep(1000);
  }
  EXPECT_EQ(ReadAtLeast(fd, 18), "$11\r\nhello world\r\n");
  close(fd);
}

TEST_F(ProtocolTest, PipelineOfThousandsOfCommandsAnsweredInOrder) {
  int fd = ConnectRaw(proxy_->port());
  std::string batch, want;
  for (int i = 0; i < 20000; ++i) {
    std::string v = std::to_string(i);
    batch += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    want += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  SendAll(fd, batch);
  EXPECT_EQ(ReadAtLeast(fd, want.size()), want);
  close(fd);
}

TEST_F(ProtocolTest, UnknownCommandAndArityErrorsUseRedisWording) {
  int fd = ConnectRaw(proxy_->port());
  SendAll(fd, "FOO bar baz\r\nGET\r\n");
  std::string want =
      "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n"
      "-ERR wrong number of arguments for 'get' command\r\n";
  EXPECT_EQ(ReadAtLeast(fd, want.size()), want);
  close(fd);
}

TEST(ProtocolAuth, UnauthenticatedClientsGetSmallLimits) {
  ProxyProcess proxy({"--requirepass", "s3cret"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto exchange = [&](std::string_view input) {
    int fd = ConnectRaw(proxy.port());
    SendAll(fd, input);
    std::string out = ReadUntilClose(fd);
    close(fd);
    return out;
  };
  EXPECT_EQ(exchange("*11\r\n"), "-ERR Protocol error: unauthenticated multibulk length\r\n");
  EXPECT_EQ(exchange("*1\r\n$16385\r\n"), "-ERR Protocol error: unauthenticated bulk length\r\n");
  // After AUTH the normal limits apply.
  int fd = ConnectRaw(proxy.port());
  std::string big(20000, 'x');
  SendAll(fd, "AUTH s3cret\r\n*2\r\n$4\r\nECHO\r\n$20000\r\n" + big + "\r\n");
  std::string want = "+OK\r\n$20000\r\n" + big + "\r\n";
  EXPECT_EQ(ReadAtLeast(fd, want.size()), want);
  close(fd);
}

TEST(ProtocolLimits, ClientThatNeverReadsIsClosedAndLogged) {
  ProxyProcess proxy({"--client-output-buffer-soft", "64kb", "--client-output-buffer-hard", "256kb",
                      "--client-output-timeout", "1"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  int fd = ConnectRaw(proxy.port());
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string payload(60000, 'y');
  std::string cmd = "*2\r\n$4\r\nECHO\r\n$60000\r\n" + payload + "\r\n";
  // Keep sending without reading: the server must stop reading us, then close us.
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += cmd;
  SendAll(fd, batch);
  // Wait until the server closes us (the cron checks every second).
  bool closed = test_support::WaitUntil(
      [&] { return proxy.log().find("closing client") != std::string::npos; });
  close(fd);
  EXPECT_TRUE(closed) << proxy.log();
  // The server still serves others.
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  auto r = test_support::Command(c.get(), {"PING"});
  ASSERT_TRUE(r);
  EXPECT_STREQ(r->str, "PONG");
}

}  // namespace
