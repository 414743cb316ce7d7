#include "fake_rdap_process.h"

#include <sstream>

#ifndef WP_FAKE_RDAP_BINARY
#define WP_FAKE_RDAP_BINARY "fake-rdap"
#endif
#ifndef WP_FAKE_RDAP_FIXTURES
#define WP_FAKE_RDAP_FIXTURES "fixtures"
#endif

namespace fake_rdap {

using test_support::EnvOr;
using test_support::HasFlag;
using test_support::ReadWholeFile;

std::vector<LogEntry> ParseLog(std::string_view text) {
  return test_support::ParseLogLines<LogEntry>(text, [](std::istream& f, LogEntry* e) {
    if (!(f >> e->time_ms >> e->path >> e->status)) return false;
    test_support::ReadClientField(f, &e->client);
    return true;
  });
}

FakeRdapProcess::FakeRdapProcess(std::vector<std::string> args) : args_(std::move(args)) {}

std::string FakeRdapProcess::FixturesDir() {
  return EnvOr("FAKE_RDAP_FIXTURES", WP_FAKE_RDAP_FIXTURES);
}

std::string FakeRdapProcess::ReadFixture(std::string_view path, std::string_view base) {
  std::string text = ReadWholeFile(FixturesDir() + std::string(path) + ".json");
  for (size_t pos = 0; (pos = text.find("{BASE}", pos)) != std::string::npos; pos += base.size()) {
    text.replace(pos, 6, base);
  }
  return text;
}

std::string FakeRdapProcess::BinaryPath() { return EnvOr("FAKE_RDAP_BINARY", WP_FAKE_RDAP_BINARY); }

bool FakeRdapProcess::Start() {
  const std::string dir = process_.dir();
  std::vector<std::string> argv = {BinaryPath()};
  if (!HasFlag(args_, "--port")) argv.insert(argv.end(), {"--port", "0"});
  if (!HasFlag(args_, "--log")) argv.insert(argv.end(), {"--log", dir + "/requests.log"});
  if (!HasFlag(args_, "--fixtures")) argv.insert(argv.end(), {"--fixtures", FixturesDir()});
  if (!HasFlag(args_, "--max-seconds")) argv.insert(argv.end(), {"--max-seconds", "120"});
  argv.insert(argv.end(), args_.begin(), args_.end());
  return process_.Start(std::move(argv), [this](std::string_view line) {
    std::istringstream f{std::string(line)};
    std::string word;
    int port = 0;
    if (f >> word >> port && word == "READY") port_ = port;
    return port_ != 0;
  });
}

std::string FakeRdapProcess::ReadLogText() const {
  return ReadWholeFile(process_.dir() + "/requests.log");
}

}  // namespace fake_rdap
