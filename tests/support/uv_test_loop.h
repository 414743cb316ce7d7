// A libuv loop for in-process tests of loop-thread code: RunUntil runs it until a condition
// holds or a generous deadline passes (a repeating timer wakes it to look), never a fixed sleep.
//
//   test_support::UvTestLoop loop;
//   client.Command(..., [&](...) { got = true; });
//   ASSERT_TRUE(loop.RunUntil([&] { return got; }));
#pragma once

#include <uv.h>

#include <chrono>
#include <optional>

#include "util/uv_timer.h"
#include "wait_until.h"

namespace test_support {

class UvTestLoop {
 public:
  UvTestLoop() {
    uv_loop_init(&loop_);
    tick_.emplace(&loop_);
  }
  // Runs the loop until every handle is closed (close callbacks included), then closes it.
  ~UvTestLoop() {
    tick_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  UvTestLoop(const UvTestLoop&) = delete;
  UvTestLoop& operator=(const UvTestLoop&) = delete;

  uv_loop_t* get() { return &loop_; }
  template <typename Done>
  bool RunUntil(Done&& done, std::chrono::milliseconds timeout = kPatience) {
    tick_->Start(5, 5, [] {});
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = false;
    while (!(ok = done()) && std::chrono::steady_clock::now() < deadline)
      uv_run(&loop_, UV_RUN_ONCE);
    tick_->Stop();
    return ok;
  }

 private:
  uv_loop_t loop_;
  std::optional<util::UvTimer> tick_;  // wakes the loop to look at the condition
};

}  // namespace test_support
