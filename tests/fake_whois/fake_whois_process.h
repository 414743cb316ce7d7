// Starts the fake-whois binary for a test or benchmark, on ports the server picks itself (no
// race for a free port), and stops it in the destructor. Everything it starts, it stops.
//
//   fake_whois::FakeWhoisProcess whois({"--limit-rate", "5/s"});
//   whois.SetDefaultResponse("Domain Name: {QUERY}\r\nRegistrar: Example\r\n");
//   ASSERT_TRUE(whois.Start()) << whois.error();
//   ... connect to 127.0.0.1:whois.port() ...
//   std::vector<fake_whois::LogEntry> log = whois.ReadLog();
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "helper_process.h"

namespace fake_whois {

// One line of the server's connection log:
// "start_ms end_ms query outcome port arrived_ms client".
struct LogEntry {
  int64_t start_ms = 0;  // epoch milliseconds at accept
  int64_t end_ms = 0;    // epoch milliseconds at close
  std::string query;     // as the client sent it (unescaped); empty if none arrived
  // served, refused_rate, refused_concurrency, refused_daily, or the misbehaviour applied:
  // hang, reset, garbage, oversize, trickle, close; no_query, bad_query.
  std::string outcome;
  int port = 0;  // the local port the client connected to
  // Epoch milliseconds the query line arrived, by the kernel's clock (start_ms if none came):
  // what the rate limit counts.
  int64_t arrived_ms = 0;
  std::string client;  // the client's address ("127.0.1.1"); empty if unknown
};

// Parses the log text; malformed lines are skipped.
std::vector<LogEntry> ParseLog(std::string_view text);

// True if the server's limits admitted this connection's query: `served` or a misbehaviour mode
// (hang, trickle, ...); false for refusals and connections without a query.
bool Admitted(const LogEntry& e);

// The largest number of admitted queries whose start times fall within any window of
// `window_ms` (a sliding window, as registries count).
int64_t MaxServedInWindow(const std::vector<LogEntry>& log, int64_t window_ms);
// The same for each group of clients as a registry of that scope counts them ("all",
// "address", "network": per /24), by group key (see ClientKey in registry_limits.h).
std::map<std::string, int64_t> MaxServedInWindowPer(const std::vector<LogEntry>& log,
                                                    int64_t window_ms, std::string_view scope);
// The largest number of admitted connections open at the same moment (a close and an open in
// the same millisecond do not overlap).
int64_t MaxConcurrentServed(const std::vector<LogEntry>& log);

class FakeWhoisProcess {
 public:
  // `args` are extra flags for the server (e.g. {"--mode", "hang"}). The helper adds --port 0
  // (times `port_count`), --log, --responses (its own directory), --control-port 0 and
  // --max-seconds unless `args` has them.
  explicit FakeWhoisProcess(std::vector<std::string> args = {}, int port_count = 1);
  ~FakeWhoisProcess() = default;  // stops the server, removes its directory
  FakeWhoisProcess(const FakeWhoisProcess&) = delete;
  FakeWhoisProcess& operator=(const FakeWhoisProcess&) = delete;

  // Before Start(): writes a response file for `query` (lower-cased file name) or the
  // `_default` template into the helper's responses directory.
  void AddResponse(std::string_view query, std::string_view text);
  void SetDefaultResponse(std::string_view text);

  // Starts the binary and waits (up to test_support::kPatience) for its READY line. False on
  // failure; see error().
  bool Start();
  // SIGTERM, then SIGKILL if it has not exited within test_support::kPatience. Returns the wait
  // status or -1.
  int Stop() { return process_.Stop(); }
  bool running() const { return process_.running(); }

  int port(size_t i = 0) const { return i < ports_.size() ? ports_[i] : 0; }
  const std::vector<int>& ports() const { return ports_; }
  int control_port() const { return control_port_; }

  // Sends one control command ("mode hang", "limit-rate 5/s", "stats", ...) and returns the
  // reply line ("OK ..." or "ERR ..."); "ERR ..." with a reason if it could not be sent.
  std::string Control(std::string_view command) const;

  std::string log_path() const { return dir() + "/connections.log"; }
  std::string ReadLogText() const;
  std::vector<LogEntry> ReadLog() const { return ParseLog(ReadLogText()); }
  // What the server wrote to stderr.
  std::string StderrText() const { return process_.StderrText(); }
  const std::string& error() const { return process_.error(); }
  const std::string& dir() const { return process_.dir(); }

  // The binary: $FAKE_WHOIS_BINARY if set, else the one this build produced.
  static std::string BinaryPath();

 private:
  std::vector<std::string> args_;
  int port_count_;
  test_support::HelperProcess process_{"fake-whois-"};
  std::vector<int> ports_;
  int control_port_ = 0;
};

// "127.0.0.1:<port>" of the server's `i`-th port, as --upstream-address and --tld-server take it.
std::string LoopbackAddress(const FakeWhoisProcess& f, size_t i = 0);

// What whois.iana.org answers for `tld`: a referral to `server` (a "whois:" line).
std::string IanaTldAnswer(const std::string& tld, const std::string& server);

}  // namespace fake_whois
