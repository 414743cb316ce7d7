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

  // Thread-safe. Like Post, but the loop is not woken for it: it runs after the next Wake() (or
  // with whatever a Post or Wake from any thread delivers). A worker that completes a batch of
  // operations queues each result and wakes the loop once, instead of waking it (and on a shared
  // core, being preempted by it) for every one.
  void Queue(std::function<void()> fn);
  void Wake();

  // Loop thread. Runs `hook` on the loop thread after each round of I/O callbacks and again
  // just before the loop blocks (libuv check and prepare handles, which do not keep the loop
  // alive). An empty hook stops it.
  void SetIterationHook(std::function<void()> hook);

  // Runs whatever is queued now (on the loop thread), then stops accepting closures and closes
  // the handles.
  void Close();

 private:
  static void OnAsync(uv_async_t* handle);
  void Drain();

  uv_async_t async_;
  uv_prepare_t prepare_;
  uv_check_t check_;
  std::function<void()> hook_;  // loop thread only
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;    // guarded by mu_
  bool wake_sent_ = false;                      // guarded by mu_: a wake-up is on its way
  bool closed_ = false;                         // guarded by mu_
  std::vector<std::function<void()>> running_;  // loop thread only
};

}  // namespace server
