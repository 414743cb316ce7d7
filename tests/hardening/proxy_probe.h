// What hardening tests observe from outside a running whois-proxy: INFO fields, its pid and
// resident memory, and bounded waits. Everything here talks only to 127.0.0.1.
#pragma once

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxy_process.h"
#include "wait_until.h"

namespace hardening {

// The value of `field` in `INFO section` ("connected_clients" in "clients"), or nullopt if the
// command failed or the field is missing.
std::optional<std::string> InfoField(redisContext* c, const std::string& section,
                                     const std::string& field);
std::optional<int64_t> InfoInt(redisContext* c, const std::string& section,
                               const std::string& field);

// The server's pid as INFO server reports it (process_id), or -1.
pid_t ServerPid(redisContext* c);

// VmRSS of `pid` in bytes from /proc/PID/status, or -1.
int64_t ResidentBytes(pid_t pid);
// VmHWM of `pid`: the most it has ever been resident, in bytes, or -1.
int64_t PeakResidentBytes(pid_t pid);

// The soft RLIMIT_NOFILE of `pid` from /proc/PID/limits, or -1.
int64_t OpenFilesSoftLimit(pid_t pid);

using test_support::WaitUntil;

// Raises this process's soft RLIMIT_NOFILE to at least `want` (raising the hard limit too when
// allowed). Returns the soft limit in force afterwards.
int64_t RaiseOpenFilesLimit(int64_t want);

// A record in the proxy's JSON schema, for SET.
std::string RecordJson(const std::string& domain, int nameservers = 2);

// Sends every command at once, then reads every reply (nullptr where the connection failed).
std::vector<test_support::Reply> Pipeline(redisContext* c,
                                          const std::vector<std::vector<std::string>>& commands);
// Every key a full SCAN returns (COUNT 1000), or nullopt if a step failed.
std::optional<std::vector<std::string>> ScanAll(redisContext* c);
// How often `what` occurs in `text` (e.g. a message in a server's log).
size_t Occurrences(const std::string& text, const std::string& what);
// The text of a string, status or error reply.
std::string ReplyText(const redisReply* r);

}  // namespace hardening
