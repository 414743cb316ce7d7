#include "server/loop_executor.h"

namespace server {

LoopExecutor::LoopExecutor(uv_loop_t* loop) {
  uv_async_init(loop, &async_, &LoopExecutor::OnAsync);
  async_.data = this;
}

LoopExecutor::~LoopExecutor() = default;

void LoopExecutor::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    queue_.push_back(std::move(fn));
    // uv_async_send coalesces wake-ups; sending only on the first item keeps the syscall off the
    // path of every completion after it.
    if (queue_.size() > 1) return;
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
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

}  // namespace server
