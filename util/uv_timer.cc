#include "util/uv_timer.h"

#include <utility>

namespace util {

struct UvTimer::Block {
  uv_timer_t timer;  // first: the close callback gets its address as the block's
  Callback callback;
};

UvTimer::UvTimer(uv_loop_t* loop) : block_(new Block) {
  uv_timer_init(loop, &block_->timer);
  block_->timer.data = block_;
}

UvTimer::~UvTimer() {
  uv_timer_stop(&block_->timer);
  // Inside the callback this is not the running one (OnTimer holds that), so dropping it is safe.
  block_->callback = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&block_->timer),
           [](uv_handle_t* handle) { delete reinterpret_cast<Block*>(handle); });
}

void UvTimer::Start(uint64_t timeout_ms, uint64_t repeat_ms, Callback callback) {
  block_->callback = std::move(callback);
  uv_timer_start(&block_->timer, &UvTimer::OnTimer, timeout_ms, repeat_ms);
}

void UvTimer::Stop() { uv_timer_stop(&block_->timer); }

bool UvTimer::pending() const {
  return uv_is_active(reinterpret_cast<const uv_handle_t*>(&block_->timer)) != 0;
}

void UvTimer::OnTimer(uv_timer_t* timer) {
  Block* block = static_cast<Block*>(timer->data);
  // The running callback lives here while it runs: it may destroy the UvTimer (the block stays
  // until the close callback, a later loop phase) or Start it with another callback.
  Callback running = std::move(block->callback);
  block->callback = nullptr;
  running();
  // Kept only for the next repeat: not after a one-shot, a Stop, another Start or the owner's
  // destructor (which stops the timer), so what a fired callback captured is released here.
  if (!block->callback && uv_is_active(reinterpret_cast<uv_handle_t*>(timer))) {
    block->callback = std::move(running);
  }
}

}  // namespace util
