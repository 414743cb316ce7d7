// Starts the fake-rdap binary for a test on a port it picks itself, and stops it in the
// destructor. Everything it starts, it stops.
//
//   fake_rdap::FakeRdapProcess rdap({"--mode", "slow", "--delay-ms", "3000"});
//   ASSERT_TRUE(rdap.Start()) << rdap.error();
//   std::string url = rdap.base_url() + "/domain/example.com";   // http://127.0.0.1:PORT
//   std::vector<fake_rdap::LogEntry> log = rdap.ReadLog();
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "helper_process.h"

namespace fake_rdap {

// One line of the request log: "epoch_ms path status client".
struct LogEntry {
  int64_t time_ms = 0;
  std::string path;  // as requested (percent-escaped where it held spaces or controls)
  int status = 0;
  std::string client;  // the client's address ("127.0.1.1"); empty if unknown
};

std::vector<LogEntry> ParseLog(std::string_view text);

class FakeRdapProcess {
 public:
  // `args` are extra flags (e.g. {"--mode", "ratelimit"}). The helper adds --port 0, --log (its
  // own temporary directory), --fixtures (FixturesDir()) and --max-seconds 120 unless given.
  explicit FakeRdapProcess(std::vector<std::string> args = {});
  ~FakeRdapProcess() = default;  // stops the server, removes its directory
  FakeRdapProcess(const FakeRdapProcess&) = delete;
  FakeRdapProcess& operator=(const FakeRdapProcess&) = delete;

  // Starts the binary and waits (up to test_support::kPatience) for "READY <port>". False on
  // failure; see error().
  bool Start();
  // SIGTERM, then SIGKILL after test_support::kPatience. Returns the wait status or -1.
  int Stop() { return process_.Stop(); }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string ReadLogText() const;
  std::vector<LogEntry> ReadLog() const { return ParseLog(ReadLogText()); }
  std::string StderrText() const { return process_.StderrText(); }
  const std::string& error() const { return process_.error(); }

  // The fixture documents shipped in tests/fake_rdap/fixtures (a path like
  // "/domain/example.com" is served from FixturesDir() + "/domain/example.com.json", with
  // "{BASE}" replaced by the server's own http://127.0.0.1:PORT).
  static std::string FixturesDir();
  // Reads a fixture file as the server would serve it from `base` ("{BASE}" replaced).
  static std::string ReadFixture(std::string_view path, std::string_view base);
  static std::string BinaryPath();

 private:
  std::vector<std::string> args_;
  test_support::HelperProcess process_{"fake-rdap-"};
  int port_ = 0;
};

}  // namespace fake_rdap
