// Runs closures on the libuv loop thread, posted from any thread. Storage workers hand their
// completions back through this, so every callback the server sees runs on the loop thread.
#pragma once

#include <uv.h>

#include <functional>
#include <mutex>
#include <vector>

namespace server {

class LoopExecutor {
 public:
  // Registers an async handle on `loop`. Call Close() before the loop is closed.
  explicit LoopExecutor(uv_loop_t* loop);
  ~LoopExecutor();
  LoopExecutor(const LoopExecutor&) = delete;
  LoopExecutor& operator=(const LoopExecutor&) = delete;

  // Thread-safe. The closure runs on the loop thread during a later loop iteration. Closures
  // posted after Close() run nowhere and are destroyed on the posting thread.
  void Post(std::function<void()> fn);

  // Runs whatever is queued now (on the loop thread), then stops accepting closures and closes
  // the handle.
  void Close();

 private:
  static void OnAsync(uv_async_t* handle);
  void Drain();

  uv_async_t async_;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;    // guarded by mu_
  bool closed_ = false;                         // guarded by mu_
  std::vector<std::function<void()>> running_;  // loop thread only
};

}  // namespace server
