#include "server/reply_queue.h"

namespace server {

void ReplyQueue::AppendReady(std::string&& bytes) {
  if (slots_.empty()) {
    output_ += bytes;
    return;
  }
  held_ += bytes.size();
  slots_.push_back(Slot{true, std::move(bytes)});
}

uint64_t ReplyQueue::Defer() {
  slots_.push_back(Slot{});
  return first_ticket_ + slots_.size() - 1;
}

bool ReplyQueue::Complete(uint64_t ticket, std::string bytes) {
  if (ticket < first_ticket_ || ticket - first_ticket_ >= slots_.size()) return false;
  Slot& slot = slots_[ticket - first_ticket_];
  if (slot.ready) return false;
  slot.ready = true;
  held_ += bytes.size();
  slot.bytes = std::move(bytes);
  MoveReadyToOutput();
  return true;
}

void ReplyQueue::MoveReadyToOutput() {
  while (!slots_.empty() && slots_.front().ready) {
    std::string& bytes = slots_.front().bytes;
    held_ -= bytes.size();
    // A large reply (an MGET's) is moved rather than copied when nothing is ahead of it.
    if (output_.empty())
      output_.swap(bytes);
    else
      output_ += bytes;
    slots_.pop_front();
    ++first_ticket_;
  }
}

}  // namespace server
