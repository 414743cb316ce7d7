#include "fake_rdap_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef WP_FAKE_RDAP_BINARY
#define WP_FAKE_RDAP_BINARY "fake-rdap"
#endif
#ifndef WP_FAKE_RDAP_FIXTURES
#define WP_FAKE_RDAP_FIXTURES "fixtures"
#endif

namespace fake_rdap {
namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool HasFlag(const std::vector<std::string>& args, std::string_view flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

}  // namespace

std::vector<LogEntry> ParseLog(std::string_view text) {
  std::vector<LogEntry> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    LogEntry e;
    if (f >> e.time_ms >> e.path >> e.status) out.push_back(std::move(e));
  }
  return out;
}

FakeRdapProcess::FakeRdapProcess(std::vector<std::string> args) : args_(std::move(args)) {
  std::string templ = (std::filesystem::temp_directory_path() / "fake-rdap-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) != nullptr) dir_ = buf.data();
}

FakeRdapProcess::~FakeRdapProcess() {
  Stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string FakeRdapProcess::FixturesDir() {
  const char* env = std::getenv("FAKE_RDAP_FIXTURES");
  return env != nullptr && *env != '\0' ? env : WP_FAKE_RDAP_FIXTURES;
}

std::string FakeRdapProcess::ReadFixture(std::string_view path, std::string_view base) {
  std::string text = ReadWholeFile(FixturesDir() + std::string(path) + ".json");
  for (size_t pos = 0; (pos = text.find("{BASE}", pos)) != std::string::npos; pos += base.size()) {
    text.replace(pos, 6, base);
  }
  return text;
}

std::string FakeRdapProcess::BinaryPath() {
  const char* env = std::getenv("FAKE_RDAP_BINARY");
  return env != nullptr && *env != '\0' ? env : WP_FAKE_RDAP_BINARY;
}

bool FakeRdapProcess::Start() {
  if (pid_ > 0) return true;
  if (dir_.empty()) {
    error_ = "could not create a temporary directory";
    return false;
  }
  std::vector<std::string> argv = {BinaryPath()};
  if (!HasFlag(args_, "--port")) argv.insert(argv.end(), {"--port", "0"});
  if (!HasFlag(args_, "--log")) argv.insert(argv.end(), {"--log", dir_ + "/requests.log"});
  if (!HasFlag(args_, "--fixtures")) argv.insert(argv.end(), {"--fixtures", FixturesDir()});
  if (!HasFlag(args_, "--max-seconds")) argv.insert(argv.end(), {"--max-seconds", "120"});
  argv.insert(argv.end(), args_.begin(), args_.end());

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    error_ = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  std::string err_path = dir_ + "/stderr.txt";
  pid_t pid = fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return false;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(out[1]);
  pid_ = pid;
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[128];
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
    if (size_t nl = got.find('\n'); nl != std::string::npos) {
      std::istringstream f(got.substr(0, nl));
      std::string word;
      int port = 0;
      if (f >> word >> port && word == "READY") port_ = port;
      break;
    }
  }
  close(out[0]);
  if (port_ == 0) {
    error_ = "fake-rdap did not become ready: " + StderrText();
    Stop();
    return false;
  }
  return true;
}

int FakeRdapProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string FakeRdapProcess::ReadLogText() const { return ReadWholeFile(dir_ + "/requests.log"); }

std::string FakeRdapProcess::StderrText() const { return ReadWholeFile(dir_ + "/stderr.txt"); }

}  // namespace fake_rdap
