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

#include "child_process.h"
#include "wait_until.h"

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
    if (!(f >> e.time_ms >> e.path >> e.status)) continue;
    if (!(f >> e.client) || e.client == "-") e.client.clear();
    out.push_back(std::move(e));
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

  std::string error;
  pid_ = test_support::StartAndWaitForLine(
      std::move(argv), dir_ + "/stderr.txt",
      [this](std::string_view line) {
        std::istringstream f{std::string(line)};
        std::string word;
        int port = 0;
        if (f >> word >> port && word == "READY") port_ = port;
        return port_ != 0;
      },
      test_support::kPatience, &error);
  if (pid_ <= 0) {
    error_ = error + ": " + StderrText();
    return false;
  }
  return true;
}

int FakeRdapProcess::Stop() {
  int status = test_support::StopChild(pid_);
  pid_ = -1;
  return status;
}

std::string FakeRdapProcess::ReadLogText() const { return ReadWholeFile(dir_ + "/requests.log"); }

std::string FakeRdapProcess::StderrText() const { return ReadWholeFile(dir_ + "/stderr.txt"); }

}  // namespace fake_rdap
