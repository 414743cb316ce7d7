// The Redis tools users will point at the proxy: redis-cli (one-shot, piped and interactive on a
// terminal) and redis-benchmark.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "proxy_process.h"

namespace {

using test_support::ProxyProcess;
using test_support::RunShell;
using test_support::WaitUntil;

// A program on a pseudo-terminal of 120x40 (without a size linenoise asks the terminal for its
// cursor position and waits for an answer), as a user at a terminal runs it. Killed at the end.
class TerminalSession {
 public:
  explicit TerminalSession(std::vector<std::string> argv) {
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 120;
    pid_ = forkpty(&terminal_, nullptr, nullptr, &size);
    if (pid_ == 0) {
      setenv("TERM", "xterm", 1);  // linenoise takes no TERM, or "dumb", for no terminal
      std::vector<char*> cargv;
      for (std::string& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      execvp(cargv[0], cargv.data());
      _exit(127);
    }
  }
  ~TerminalSession() {
    if (terminal_ >= 0) close(terminal_);
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  const std::string& output() const { return output_; }

  // Reads the terminal until its output holds `text`; false if it does not, in time or before
  // the program ends.
  // Only what arrived after `from` counts.
  bool WaitFor(const std::string& text,
               std::chrono::milliseconds patience = test_support::kPatience, size_t from = 0) {
    bool closed = false;
    WaitUntil(
        [&] {
          pollfd p{terminal_, POLLIN, 0};
          if (poll(&p, 1, 100) > 0) {
            char buf[4096];
            ssize_t n = read(terminal_, buf, sizeof buf);
            if (n > 0) output_.append(buf, static_cast<size_t>(n));
            closed = n <= 0;
          }
          return closed || output_.find(text, from) != std::string::npos;
        },
        patience, std::chrono::milliseconds(0));
    return output_.find(text, from) != std::string::npos;
  }
  void Type(std::string_view keys) {
    EXPECT_EQ(write(terminal_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }
  // Waits until the program exits with status 0.
  bool WaitForExit() {
    int status = 0;
    exited_ = WaitUntil([&] {
      char buf[4096];
      while (true) {  // keep its terminal drained
        pollfd p{terminal_, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) break;
        ssize_t n = read(terminal_, buf, sizeof buf);
        if (n <= 0) break;
        output_.append(buf, static_cast<size_t>(n));
      }
      return waitpid(pid_, &status, WNOHANG) == pid_;
    });
    return exited_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

 private:
  int terminal_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string output_;
};

class ToolsTest : public test_support::SharedProxyTest {
 protected:
  std::string Cli() { return "redis-cli -p " + std::to_string(proxy_->port()); }
  std::string Benchmark() { return "redis-benchmark -p " + std::to_string(proxy_->port()); }
};

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
  // On a terminal redis-cli runs its interactive mode, which asks COMMAND DOCS for hints at
  // start-up. Each command is typed once its prompt shows: linenoise switches the terminal to raw
  // mode before each prompt, discarding what was typed before (redis-cli leaves raw mode to print
  // a reply, so keys typed right after a reply are lost: seen as a hang under TSan). In raw mode
  // Enter is CR.
  TerminalSession cli({"redis-cli", "-p", std::to_string(proxy_->port())});
  ASSERT_TRUE(cli.started()) << cli.output();
  const std::string prompt = "127.0.0.1:" + std::to_string(proxy_->port()) + ">";
  ASSERT_TRUE(cli.WaitFor(prompt)) << cli.output();
  cli.Type("ECHO interactive-ok\r");
  ASSERT_TRUE(cli.WaitFor("\"interactive-ok\"")) << cli.output();
  ASSERT_TRUE(cli.WaitFor(prompt, test_support::kPatience, cli.output().find("\"interactive-ok\"")))
      << cli.output();
  cli.Type("quit\r");
  EXPECT_TRUE(cli.WaitForExit()) << cli.output();
  EXPECT_EQ(cli.output().find("ERR"), std::string::npos) << cli.output();
}

TEST_F(ToolsTest, RedisBenchmarkPing) {
  std::string out;
  int rc = RunShell(Benchmark() + " -t ping_inline,ping_mbulk -n 20000 -c 20 -q 2>&1", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PING_INLINE"), std::string::npos) << out;
  EXPECT_NE(out.find("PING_MBULK"), std::string::npos) << out;
  EXPECT_EQ(out.find("WARNING"), std::string::npos) << out;
  EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
}

TEST_F(ToolsTest, RedisBenchmarkPipelined) {
  std::string out;
  int rc = RunShell(Benchmark() + " -t ping_mbulk -n 50000 -c 10 -P 32 -q 2>&1", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PING_MBULK"), std::string::npos) << out;
}

}  // namespace
