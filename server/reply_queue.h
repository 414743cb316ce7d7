// Keeps a connection's replies in request order when some complete later than others.
// Pure: no I/O. Commands that answer at once write straight into the output buffer while
// nothing is pending; once a reply is deferred, later replies queue behind it until it lands.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace server {

class ReplyQueue {
 public:
  // True while some reply is deferred: an immediate reply must then queue behind it.
  bool has_pending() const { return !slots_.empty(); }

  // Queues a reply that is complete now behind the deferred ones (use only if has_pending()).
  void AppendReady(std::string&& bytes);

  // Reserves the next position for a reply that completes later; returns its ticket.
  uint64_t Defer();

  // Fills a deferred position. Replies that are now at the front move to output().
  // Returns false if the ticket is unknown (already filled).
  bool Complete(uint64_t ticket, std::string bytes);

  // Bytes ready to send, in order. The caller consumes them (e.g. swaps them out).
  std::string& output() { return output_; }
  const std::string& output() const { return output_; }

  size_t pending() const { return slots_.size(); }
  // Bytes of replies that are ready but wait behind a deferred one (not yet in output()).
  size_t held() const { return held_; }

 private:
  struct Slot {
    bool ready = false;
    std::string bytes;
  };
  void MoveReadyToOutput();

  std::string output_;
  std::deque<Slot> slots_;  // slots_[i] has ticket first_ticket_ + i
  size_t held_ = 0;         // the sum of the ready slots' sizes
  uint64_t first_ticket_ = 0;
};

}  // namespace server
