// Starting and stopping the helper servers tests run (fake-whois, fake-rdap): each prints a
// READY line on stdout once it listens, and stops on SIGTERM.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

// Starts argv[0] with `argv`, its stderr written to `stderr_path`, and reads its stdout line by
// line, passing each complete line to `on_line` until it returns true (the child is ready).
// Returns the child's pid; or -1 with *error set if it could not start, closed its stdout, or
// was not ready within `timeout` (the child is then stopped).
pid_t StartAndWaitForLine(std::vector<std::string> argv, const std::string& stderr_path,
                          const std::function<bool(std::string_view line)>& on_line,
                          std::chrono::milliseconds timeout, std::string* error);

// SIGTERM, then SIGKILL if the child has not exited within test_support::kPatience. Returns the
// wait status, or -1 if it had to be killed (or pid <= 0).
int StopChild(pid_t pid);

// SIGKILL at once (a crash, as a test simulates one) and reaps the child; no-op for pid <= 0.
void KillChild(pid_t pid);

}  // namespace test_support
