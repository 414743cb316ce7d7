// Test helpers: a stand-in for the server's loop that receives the
// store's posted callbacks on the test thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

#include "storage/record_store.h"
#include "tests/support/wait_until.h"

namespace storage::testing {

// Collects posted callbacks; the test thread runs them.
class TestLoop {
 public:
  PostFn post() {
    return [this](std::function<void()> fn) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.push_back(std::move(fn));
        ++posted_;
      }
      cv_.notify_all();
    };
  }

  // Runs posted callbacks until done() is true. Fails (throws) after test_support::kPatience.
  void RunUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + test_support::kPatience;
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (!cv_.wait_until(lock, deadline, [this] { return !queue_.empty(); }))
          throw std::runtime_error("timed out waiting for a storage callback");
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

  // Runs every callback queued now; returns how many ran.
  size_t RunPending() {
    size_t n = 0;
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queue_.empty()) return n;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
      ++n;
    }
  }

  size_t posted() {
    std::lock_guard<std::mutex> lock(mu_);
    return posted_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  size_t posted_ = 0;                        // guarded by mu_
};

}  // namespace storage::testing
