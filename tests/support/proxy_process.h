// Starts the real whois-proxy binary on a free loopback port with its own data directory, for
// integration tests. Everything it starts, it stops.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "util/hiredis_handles.h"
#include "wait_until.h"

namespace test_support {

// A loopback TCP port that was free a moment ago.
int FreePort();

class ProxyProcess {
 public:
  // `args` are extra directives (e.g. {"--requirepass", "x"}); port, bind and dir are set here
  // unless given.
  explicit ProxyProcess(std::vector<std::string> args = {}, std::string dir = "");
  ~ProxyProcess();

  // Starts and waits until the port accepts connections (up to test_support::kPatience). False
  // if it exited (the log says why) or did not listen in time. When the free port it picked was
  // taken before the server bound it, it tries another.
  bool Start();
  // SIGTERM and wait; returns the exit status (or -1).
  int Stop();
  // SIGKILL and reap.
  void Kill();
  // Runs in the forked child just before exec (async-signal-safe calls only), for a test that
  // starts the server with fewer privileges than its own.
  void set_before_exec(void (*fn)()) { before_exec_ = fn; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string log() const;  // what the process printed

  // A hiredis connection (nullptr on failure).
  using Redis = util::HiredisContext;
  Redis Connect() const;

 private:
  bool StartOnce();

  std::vector<std::string> args_;
  std::unique_ptr<TempDir> own_dir_;
  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
  void (*before_exec_)() = nullptr;
};

// Runs a command through hiredis and returns the reply (owned).
using Reply = util::HiredisReply;
Reply Command(redisContext* c, const std::vector<std::string>& argv);
// Command(), and a missing reply (the connection failed) fails the calling test.
Reply CommandExpectingReply(redisContext* c, const std::vector<std::string>& argv);

// `argv` as a client sends it: a RESP array of bulk strings.
std::string RespCommand(const std::vector<std::string>& argv);

// Raw socket helpers for protocol tests. A `receive_buffer` > 0 is set (SO_RCVBUF) before
// connecting, so that little of what the server writes can wait in this side's kernel buffer.
// A read gives up after `timeout_ms`, by default a generous deadline (test_support::kPatience):
// it returns as soon as what it waits for arrived, so the deadline only matters when the test
// fails anyway.
int ConnectRaw(int port, int receive_buffer = 0);
void SendAll(int fd, std::string_view bytes);
inline constexpr int kReplyTimeoutMs = static_cast<int>(test_support::kPatience.count());
// Reads until the peer closes or `timeout_ms` passes; returns what arrived.
std::string ReadUntilClose(int fd, int timeout_ms = kReplyTimeoutMs);
// Reads until at least `n` bytes arrived or timeout.
std::string ReadAtLeast(int fd, size_t n, int timeout_ms = kReplyTimeoutMs);
// Reads until what arrived ends with `suffix` (say the reply to a PING sent last), or timeout.
std::string ReadUntilEndsWith(int fd, std::string_view suffix, int timeout_ms = kReplyTimeoutMs);

// Runs a shell command, returns its exit status and standard output.
int RunShell(const std::string& cmd, std::string* out);

// The fixture of a test suite that shares one whois-proxy (default options) among its tests:
// started once before the first test, stopped after the last.
//
//   class CommandsTest : public test_support::SharedProxyTest {};
//   TEST_F(CommandsTest, Ping) { auto c = proxy_->Connect(); ... }
//
// Each suite gets its own server (gtest runs SetUpTestSuite per suite), so one suite's state
// (keys, CONFIG SET) never reaches another's.
class SharedProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    proxy_ = new ProxyProcess();
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    proxy_ = nullptr;
  }
  // Sends `input` on a new raw connection; returns all the server answers before it closes it.
  static std::string ExchangeUntilClose(std::string_view input);
  // Sends `input` on a new raw connection; returns the first `n` bytes of the answer.
  static std::string Exchange(std::string_view input, size_t n);

  static inline ProxyProcess* proxy_ = nullptr;
};

// A test's own connection to the shared proxy (opened in SetUp), and commands on it.
class SharedProxyClientTest : public SharedProxyTest {
 protected:
  void SetUp() override {
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }
  // The reply to `argv` on this test's connection; a missing reply fails the test.
  Reply Run(const std::vector<std::string>& argv) { return CommandExpectingReply(c_.get(), argv); }
  ProxyProcess::Redis c_;
};

}  // namespace test_support
