// Waiting for what a server or another thread brings about, by polling it against a deadline
// (never by sleeping a fixed time and hoping it has happened).
#pragma once

#include <chrono>
#include <thread>

namespace test_support {

// How long a test waits for something that should happen at once. Generous on purpose: servers
// run under ThreadSanitizer (ten times slower or worse) on a loaded 2-core machine, and the
// time is only spent when the thing never happens, that is when the test fails anyway.
inline constexpr std::chrono::milliseconds kPatience{60000};

// Polls `done` every `step` until it returns true or `timeout` passes; returns its last value.
template <typename Done>
bool WaitUntil(Done&& done, std::chrono::milliseconds timeout = kPatience,
               std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace test_support
