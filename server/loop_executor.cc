#include "server/loop_executor.h"

namespace server {

LoopExecutor::LoopExecutor(uv_loop_t* loop) {
  uv_async_init(loop, &async_, &LoopExecutor::OnAsync);
  async_.data = this;
  uv_prepare_init(loop, &prepare_);
  uv_check_init(loop, &check_);
  prepare_.data = check_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&prepare_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
}

void LoopExecutor::SetIterationHook(std::function<void()> hook) {
  hook_ = std::move(hook);
  if (!hook_) {
    uv_prepare_stop(&prepare_);
    uv_check_stop(&check_);
    return;
  }
  uv_prepare_start(&prepare_,
                   [](uv_prepare_t* h) { static_cast<LoopExecutor*>(h->data)->hook_(); });
  uv_check_start(&check_, [](uv_check_t* h) { static_cast<LoopExecutor*>(h->data)->hook_(); });
}

LoopExecutor::~LoopExecutor() = default;

void LoopExecutor::Post(std::function<void()> fn) {
  Queue(std::move(fn));
  Wake();
}

void LoopExecutor::Queue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  queue_.push_back(std::move(fn));
}

void LoopExecutor::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // uv_async_send coalesces wake-ups too, but each call is a syscall: one per drain is enough.
    if (closed_ || queue_.empty() || wake_sent_) return;
    wake_sent_ = true;
  }
  uv_async_send(&async_);
}

void LoopExecutor::OnAsync(uv_async_t* handle) {
  static_cast<LoopExecutor*>(handle->data)->Drain();
}

void LoopExecutor::Drain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.swap(queue_);
    wake_sent_ = false;
  }
  for (auto& fn : running_) fn();
  running_.clear();
}

void LoopExecutor::Close() {
  Drain();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    queue_.clear();
  }
  SetIterationHook({});
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
}

}  // namespace server
