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

// The soft RLIMIT_NOFILE of `pid` from /proc/PID/limits, or -1.
int64_t OpenFilesSoftLimit(pid_t pid);

using test_support::WaitUntil;

// Raises this process's soft RLIMIT_NOFILE to at least `want` (raising the hard limit too when
// allowed). Returns the soft limit in force afterwards.
int64_t RaiseOpenFilesLimit(int64_t want);

// A record in the proxy's JSON schema, for SET.
std::string RecordJson(const std::string& domain, int nameservers = 2);

}  // namespace hardening
