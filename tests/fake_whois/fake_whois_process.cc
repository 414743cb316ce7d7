#include "fake_whois_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "loopback_socket.h"
#include "registry_limits.h"

#ifndef WP_FAKE_WHOIS_BINARY
#define WP_FAKE_WHOIS_BINARY "fake-whois"
#endif

namespace fake_whois {

using test_support::EnvOr;
using test_support::HasFlag;
using test_support::ReadWholeFile;
using test_support::WriteWholeFile;

namespace {

std::string Unescape(std::string_view token) {
  if (token == "-") return "";
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '%' && i + 2 < token.size() && std::isxdigit(token[i + 1]) &&
        std::isxdigit(token[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(std::string(token.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<LogEntry> ParseLog(std::string_view text) {
  return test_support::ParseLogLines<LogEntry>(text, [](std::istream& fields, LogEntry* e) {
    std::string query;
    if (!(fields >> e->start_ms >> e->end_ms >> query >> e->outcome >> e->port)) return false;
    if (!(fields >> e->arrived_ms)) e->arrived_ms = e->start_ms;
    test_support::ReadClientField(fields, &e->client);
    e->query = Unescape(query);
    return true;
  });
}

bool Admitted(const LogEntry& e) {
  return e.outcome.rfind("refused_", 0) != 0 && e.outcome != "no_query" && e.outcome != "bad_query";
}

int64_t MaxServedInWindow(const std::vector<LogEntry>& log, int64_t window_ms) {
  std::vector<int64_t> starts;
  for (const LogEntry& e : log) {
    if (Admitted(e)) starts.push_back(e.arrived_ms);
  }
  std::sort(starts.begin(), starts.end());
  int64_t best = 0;
  size_t lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[hi] - starts[lo] >= window_ms) ++lo;
    best = std::max(best, static_cast<int64_t>(hi - lo + 1));
  }
  return best;
}

std::map<std::string, int64_t> MaxServedInWindowPer(const std::vector<LogEntry>& log,
                                                    int64_t window_ms, std::string_view scope) {
  std::map<std::string, std::vector<LogEntry>> groups;
  const Scope s = ParseScope(scope).value_or(Scope::kAll);
  for (const LogEntry& e : log) groups[ClientKey(e.client, s)].push_back(e);
  std::map<std::string, int64_t> out;
  for (const auto& [key, entries] : groups) out[key] = MaxServedInWindow(entries, window_ms);
  return out;
}

int64_t MaxConcurrentServed(const std::vector<LogEntry>& log) {
  std::vector<std::pair<int64_t, int>> events;  // (time, +1 open / -1 close); closes sort first
  for (const LogEntry& e : log) {
    if (!Admitted(e)) continue;
    events.emplace_back(e.start_ms, 1);
    events.emplace_back(e.end_ms, -1);
  }
  std::sort(events.begin(), events.end());
  int64_t now = 0, best = 0;
  for (const auto& [t, d] : events) {
    now += d;
    best = std::max(best, now);
  }
  return best;
}

FakeWhoisProcess::FakeWhoisProcess(std::vector<std::string> args, int port_count)
    : args_(std::move(args)), port_count_(port_count) {
  std::filesystem::create_directories(dir() + "/responses");
}

void FakeWhoisProcess::AddResponse(std::string_view query, std::string_view text) {
  std::string name(query);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  WriteWholeFile(dir() + "/responses/" + name, text);
}

void FakeWhoisProcess::SetDefaultResponse(std::string_view text) {
  WriteWholeFile(dir() + "/responses/_default", text);
}

std::string FakeWhoisProcess::BinaryPath() {
  return EnvOr("FAKE_WHOIS_BINARY", WP_FAKE_WHOIS_BINARY);
}

bool FakeWhoisProcess::Start() {
  std::vector<std::string> argv = {BinaryPath()};
  if (!HasFlag(args_, "--port")) {
    for (int i = 0; i < port_count_; ++i) argv.insert(argv.end(), {"--port", "0"});
  }
  if (!HasFlag(args_, "--log")) argv.insert(argv.end(), {"--log", log_path()});
  if (!HasFlag(args_, "--responses") && !HasFlag(args_, "--response-text")) {
    argv.insert(argv.end(), {"--responses", dir() + "/responses"});
  }
  if (!HasFlag(args_, "--control-port")) argv.insert(argv.end(), {"--control-port", "0"});
  if (!HasFlag(args_, "--max-seconds")) argv.insert(argv.end(), {"--max-seconds", "300"});
  argv.insert(argv.end(), args_.begin(), args_.end());

  // Only complete lines count: "CONTROL <port>" (optional), then "READY <port>...".
  return process_.Start(std::move(argv), [this](std::string_view line) {
    std::istringstream f{std::string(line)};
    std::string word;
    f >> word;
    if (word == "CONTROL") f >> control_port_;
    if (word != "READY") return false;
    ports_.clear();
    for (int port = 0; f >> port;) ports_.push_back(port);
    return true;
  });
}

std::string FakeWhoisProcess::Control(std::string_view command) const {
  if (control_port_ <= 0) return "ERR no control port";
  int fd = test_support::ConnectLoopback(control_port_);
  if (fd < 0) return "ERR cannot connect to the control port";
  std::string line = std::string(command) + "\n";
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    close(fd);
    return "ERR send failed";
  }
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  size_t nl = reply.find('\n');
  if (nl == std::string::npos) return "ERR no reply";
  return reply.substr(0, nl);
}

std::string FakeWhoisProcess::ReadLogText() const { return ReadWholeFile(log_path()); }

std::string LoopbackAddress(const FakeWhoisProcess& f, size_t i) {
  return "127.0.0.1:" + std::to_string(f.port(i));
}

std::string IanaTldAnswer(const std::string& tld, const std::string& server) {
  return "% IANA WHOIS server\r\n\r\ndomain:       " + tld + "\r\n\r\norganisation: Test\r\n" +
         "whois:        " + server + "\r\n\r\nstatus:       ACTIVE\r\n";
}

}  // namespace fake_whois
