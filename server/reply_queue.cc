#include "server/reply_queue.h"

namespace server {

void ReplyQueue::AppendReady(std::string&& bytes) {
  if (slots_.empty()) {
    output_ += bytes;
    return;
  }
  slots_.push_back(Slot{true, std::move(bytes)});
}

uint64_t ReplyQueue::Defer() {
  slots_.push_back(Slot{});
  return first_ticket_ + slots_.size() - 1;
}

bool ReplyQueue::Complete(uint64_t ticket, std::string_view bytes) {
  if (ticket < first_ticket_ || ticket - first_ticket_ >= slots_.size()) return false;
  Slot& slot = slots_[ticket - first_ticket_];
  if (slot.ready) return false;
  slot.ready = true;
  slot.bytes.assign(bytes);
  MoveReadyToOutput();
  return true;
}

void ReplyQueue::MoveReadyToOutput() {
  while (!slots_.empty() && slots_.front().ready) {
    output_ += slots_.front().bytes;
    slots_.pop_front();
    ++first_ticket_;
  }
}

}  // namespace server
