// A libuv timer owned by one C++ object: the one way this codebase runs code later on a loop.
//
// libuv frees nothing itself: a handle must be uv_close()d and its memory kept until the close
// callback runs on a later loop iteration, so every owner used to write `new uv_timer_t`, stop,
// close, and delete in the close callback. UvTimer does that once. Its uv_timer_t (with the
// callback) lives in a block of its own that the close callback frees, so the UvTimer may be
// destroyed at any moment on the loop thread: while the timer is pending (it never fires), or
// inside its own callback (the running callback and what it captured stay alive until it
// returns; Start() inside the callback is safe too).
//
// Threads: every call, and the destructor, on the loop's thread. The loop must run (or be
// closed with uv_run after it) for the handle's memory to be freed, as for every libuv handle.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace util {

class UvTimer {
 public:
  using Callback = std::function<void()>;

  explicit UvTimer(uv_loop_t* loop);
  // Stops the timer and closes the handle; the callback's captures are released now (or, if
  // the callback is running, when it returns) and the handle's memory in the close callback.
  ~UvTimer();

  UvTimer(const UvTimer&) = delete;
  UvTimer& operator=(const UvTimer&) = delete;

  // Runs `callback` on the loop after `timeout_ms` (0: on the next iteration's timer phase),
  // then every `repeat_ms` if that is not 0. A pending start is replaced (its callback dropped).
  void Start(uint64_t timeout_ms, uint64_t repeat_ms, Callback callback);
  // Start(timeout_ms, 0, callback): once.
  void Start(uint64_t timeout_ms, Callback callback) { Start(timeout_ms, 0, std::move(callback)); }
  // The callback will not run until the next Start. No effect on a stopped timer.
  void Stop();
  // True while a Start is pending (a one-shot timer that fired is no longer pending).
  bool pending() const;

 private:
  struct Block;
  static void OnTimer(uv_timer_t* timer);
  Block* block_;  // freed by uv_close's callback, never by the destructor
};

}  // namespace util
