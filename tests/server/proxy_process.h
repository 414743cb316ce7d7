// Starts the real whois-proxy binary on a free loopback port with its own data directory, for
// integration tests. Everything it starts, it stops.
#pragma once

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace testing_support {

// A loopback TCP port that was free a moment ago.
int FreePort();

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ProxyProcess {
 public:
  // `args` are extra directives (e.g. {"--requirepass", "x"}); port, bind and dir are set here
  // unless given.
  explicit ProxyProcess(std::vector<std::string> args = {}, std::string dir = "");
  ~ProxyProcess();

  // Starts and waits until the port accepts connections (up to 10 s). False if it exited.
  bool Start();
  // SIGTERM and wait; returns the exit status (or -1).
  int Stop();
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string log() const;  // what the process printed

  // A hiredis connection (nullptr on failure).
  struct RedisDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  using Redis = std::unique_ptr<redisContext, RedisDeleter>;
  Redis Connect() const;

 private:
  std::vector<std::string> args_;
  std::unique_ptr<TempDir> own_dir_;
  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Runs a command through hiredis and returns the reply (owned).
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
Reply Command(redisContext* c, const std::vector<std::string>& argv);

// Raw socket helpers for protocol tests. A `receive_buffer` > 0 is set (SO_RCVBUF) before
// connecting, so that little of what the server writes can wait in this side's kernel buffer.
int ConnectRaw(int port, int receive_buffer = 0);
void SendAll(int fd, std::string_view bytes);
// Reads until the peer closes or `timeout_ms` passes; returns what arrived.
std::string ReadUntilClose(int fd, int timeout_ms);
// Reads until at least `n` bytes arrived or timeout.
std::string ReadAtLeast(int fd, size_t n, int timeout_ms);

// Runs a shell command, returns its exit status and standard output.
int RunShell(const std::string& cmd, std::string* out);

}  // namespace testing_support
