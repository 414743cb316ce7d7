// The fleet tests' event loop: a libuv loop run until a condition holds or a deadline passes
// (a repeating timer wakes it to look), and one command sent through a FleetClient on it.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "storage/fleet/fleet_client.h"
#include "wait_until.h"

namespace storage::fleet {

// Runs the loop until `done()` or the deadline (a repeating timer wakes it to look).
class Loop {
 public:
  Loop() {
    uv_loop_init(&loop_);
    uv_timer_init(&loop_, &tick_);
  }
  ~Loop() {
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  uv_loop_t* get() { return &loop_; }
  template <typename Done>
  bool RunUntil(Done&& done, std::chrono::milliseconds timeout = test_support::kPatience) {
    uv_timer_start(
        &tick_, [](uv_timer_t*) {}, 5, 5);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = false;
    while (!(ok = done()) && std::chrono::steady_clock::now() < deadline)
      uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&tick_);
    return ok;
  }

 private:
  uv_loop_t loop_;
  uv_timer_t tick_;
};

struct Result {
  Status status;
  Reply reply;
};

// Sends one command and runs the loop until its callback.
inline Result Call(Loop& loop, FleetClient& client, std::vector<std::string> argv) {
  std::optional<Result> got;
  client.Command(std::move(argv), [&](Status st, Reply r) { got = Result{st, std::move(r)}; });
  EXPECT_TRUE(loop.RunUntil([&] { return got.has_value(); }));
  return got.value_or(Result{Status::IOError("no callback"), {}});
}

inline ClientOptions Options(const std::vector<std::string>& seeds, int64_t timeout_ms = 5000) {
  ClientOptions o;
  EXPECT_TRUE(ParseSeeds(seeds, &o.seeds).ok());
  o.timeout_ms = timeout_ms;
  o.backoff = Backoff{20, 200};
  return o;
}

}  // namespace storage::fleet
