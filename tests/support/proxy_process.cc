#include "proxy_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "child_process.h"
#include "helper_process.h"

#ifndef WP_PROXY_BINARY
#error "WP_PROXY_BINARY must name the whois-proxy binary"
#endif

namespace test_support {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

ProxyProcess::ProxyProcess(std::vector<std::string> args, std::string dir)
    : args_(std::move(args)) {
  if (dir.empty()) {
    own_dir_ = std::make_unique<TempDir>();
    dir_ = own_dir_->path() + "/data";
  } else {
    dir_ = std::move(dir);
  }
  log_path_ = dir_ + ".log";
}

ProxyProcess::~ProxyProcess() {
  if (pid_ > 0) Kill();
  std::remove(log_path_.c_str());
}

bool ProxyProcess::Start() {
  bool has_port = false;
  for (const auto& a : args_) has_port |= a == "--port";
  // A port found free can be taken by another process before the server binds it; then the
  // server exits saying so, and another port is tried. A port the test chose is its business.
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::uintmax_t log_before = 0;
    std::error_code ec;
    if (std::filesystem::exists(log_path_, ec))
      log_before = std::filesystem::file_size(log_path_, ec);
    if (StartOnce()) return true;
    if (has_port || pid_ > 0) return false;  // not a lost port race
    std::string tail = log().substr(std::min<size_t>(log_before, log().size()));
    if (tail.find("address already in use") == std::string::npos) return false;
  }
  return false;
}

bool ProxyProcess::StartOnce() {
  port_ = FreePort();
  std::vector<std::string> argv = {WP_PROXY_BINARY};
  bool has_port = false, has_bind = false, has_dir = false;
  for (const auto& a : args_) {
    has_port |= a == "--port";
    has_bind |= a == "--bind";
    has_dir |= a == "--dir";
  }
  if (!args_.empty() && !args_[0].starts_with("--")) {  // config file first
    argv.push_back(args_[0]);
  }
  if (!has_port) argv.insert(argv.end(), {"--port", std::to_string(port_)});
  if (!has_bind) argv.insert(argv.end(), {"--bind", "127.0.0.1"});
  if (!has_dir) argv.insert(argv.end(), {"--dir", dir_});
  // Hermetic by default: no bundled directory, and IANA pinned to a closed loopback port, so a
  // cache miss fails fast with a fallback record and nothing (not even DNS) leaves the machine.
  // Tests of live resolution pass their own --iana-server / --upstream-address / --tld-server.
  bool has_upstream = false;
  for (const auto& a : args_)
    has_upstream |= a == "--iana-server" || a == "--bundled-directory" || a == "--tld-server";
  // RDAP's bundled bootstrap names real servers: only tests that start a fake RDAP server and
  // say so (--lookup-order) use RDAP.
  bool has_order = false;
  for (const auto& a : args_) has_order |= a == "--lookup-order";
  if (!has_order) argv.insert(argv.end(), {"--lookup-order", "whois-only"});
  if (!has_upstream)
    argv.insert(argv.end(), {"--bundled-directory", "no", "--upstream-address", "whois.iana.org",
                             "127.0.0.1:1"});
  for (size_t i = (!args_.empty() && !args_[0].starts_with("--")) ? 1 : 0; i < args_.size(); ++i)
    argv.push_back(args_[i]);
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "--port") port_ = std::stoi(argv[i + 1]);

  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    if (before_exec_ != nullptr) before_exec_();
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  bool ready = WaitUntil([&] {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    int fd = ConnectRaw(port_);
    if (fd < 0) return false;
    close(fd);
    return true;
  });
  return ready && pid_ > 0;
}

int ProxyProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; })) {
    Kill();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ProxyProcess::Kill() {
  KillChild(pid_);
  pid_ = -1;
}

std::string ProxyProcess::log() const { return ReadWholeFile(log_path_); }

ProxyProcess::Redis ProxyProcess::Connect() const {
  // A reply is waited for as long as anything else a test waits for: a command that is slow
  // under a sanitizer on a loaded machine (an EXISTS of 200,000 names took over 5 s under TSan)
  // is still answered; only a test that fails anyway waits this long.
  const auto patience = std::chrono::duration_cast<std::chrono::seconds>(kPatience);
  timeval tv{static_cast<time_t>(patience.count()), 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr) return nullptr;
  if (c->err) {
    redisFree(c);
    return nullptr;
  }
  redisSetTimeout(c, tv);
  return Redis(c);
}

Reply Command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
}

Reply CommandExpectingReply(redisContext* c, const std::vector<std::string>& argv) {
  auto r = Command(c, argv);
  EXPECT_TRUE(r) << "no reply to " << argv[0];
  return r;
}

std::string RespCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

int ConnectRaw(int port, int receive_buffer) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads until `done(out)` holds, the peer closes, or `timeout_ms` passes; returns what arrived.
template <typename Done>
static std::string ReadLoop(int fd, int timeout_ms, Done done) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (!done(out)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string ReadUntilClose(int fd, int timeout_ms) {
  return ReadLoop(fd, timeout_ms, [](const std::string&) { return false; });
}
std::string ReadAtLeast(int fd, size_t n, int timeout_ms) {
  return ReadLoop(fd, timeout_ms, [n](const std::string& out) { return out.size() >= n; });
}
std::string ReadUntilEndsWith(int fd, std::string_view suffix, int timeout_ms) {
  return ReadLoop(fd, timeout_ms,
                  [suffix](const std::string& out) { return out.ends_with(suffix); });
}

std::string SharedProxyTest::ExchangeUntilClose(std::string_view input) {
  int fd = ConnectRaw(proxy_->port());
  EXPECT_GE(fd, 0);
  SendAll(fd, input);
  std::string out = ReadUntilClose(fd);
  close(fd);
  return out;
}

std::string SharedProxyTest::Exchange(std::string_view input, size_t n) {
  int fd = ConnectRaw(proxy_->port());
  EXPECT_GE(fd, 0);
  SendAll(fd, input);
  std::string out = ReadAtLeast(fd, n);
  close(fd);
  return out;
}

int RunShell(const std::string& cmd, std::string* out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    if (out) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace test_support
