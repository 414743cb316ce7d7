// The Redis tools users will point at the proxy: redis-cli (one-shot, piped and interactive on a
// terminal) and redis-benchmark.
#include <gtest/gtest.h>

#include "proxy_process.h"

namespace {

using testing_support::ProxyProcess;
using testing_support::RunShell;

class ToolsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    proxy_ = new ProxyProcess();
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    proxy_ = nullptr;
  }
  std::string Cli() { return "redis-cli -p " + std::to_string(proxy_->port()); }
  static ProxyProcess* proxy_;
};
ProxyProcess* ToolsTest::proxy_ = nullptr;

TEST_F(ToolsTest, RedisCliOneShot) {
  std::string out;
  ASSERT_EQ(RunShell(Cli() + " PING", &out), 0);
  EXPECT_EQ(out, "PONG\n");
  out.clear();
  ASSERT_EQ(RunShell(Cli() + " -3 PING", &out), 0);  // RESP3 via HELLO 3
  EXPECT_EQ(out, "PONG\n");
  out.clear();
  ASSERT_EQ(RunShell(Cli() + " ECHO 'hello world'", &out), 0);
  EXPECT_EQ(out, "hello world\n");
}

TEST_F(ToolsTest, RedisCliReadsCommandsFromAPipe) {
  std::string out;
  ASSERT_EQ(RunShell("printf 'PING\\nECHO two\\nDBSIZE\\n' | " + Cli(), &out), 0);
  EXPECT_EQ(out, "PONG\ntwo\n0\n");
}

TEST_F(ToolsTest, RedisCliInteractiveOnATerminal) {
  // `script` gives redis-cli a pseudo-terminal, so it runs its interactive mode (which asks
  // COMMAND DOCS for hints at start-up). The pty gets a size (else linenoise asks the terminal
  // for its cursor position and waits for an answer no one sends) and keys end with CR, as
  // Enter does in raw mode. `timeout` bounds the test if redis-cli ever waits anyway.
  std::string out;
  std::string cmd =
      "(sleep 0.5; printf 'ECHO interactive-ok\\r'; sleep 0.5; printf 'quit\\r') | timeout 20 "
      "script -qfec 'stty cols 120 rows 40; " +
      Cli() + "' /dev/null";
  RunShell(cmd, &out);
  EXPECT_NE(out.find("\"interactive-ok\""), std::string::npos) << out;
  EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
}

TEST_F(ToolsTest, RedisBenchmarkPing) {
  std::string out;
  int rc = RunShell("redis-benchmark -p " + std::to_string(proxy_->port()) +
                        " -t ping_inline,ping_mbulk -n 20000 -c 20 -q 2>&1",
                    &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PING_INLINE"), std::string::npos) << out;
  EXPECT_NE(out.find("PING_MBULK"), std::string::npos) << out;
  EXPECT_EQ(out.find("WARNING"), std::string::npos) << out;
  EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
}

TEST_F(ToolsTest, RedisBenchmarkPipelined) {
  std::string out;
  int rc = RunShell("redis-benchmark -p " + std::to_string(proxy_->port()) +
                        " -t ping_mbulk -n 50000 -c 10 -P 32 -q 2>&1",
                    &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PING_MBULK"), std::string::npos) << out;
}

}  // namespace
