// One operation per key of a multi-key command (MGET, EXISTS, DEL), with a bounded number in
// flight. A million-key command used to start a million storage reads at once (their requests,
// closures and lookups: 480 MB, and the loop busy for seconds issuing them); now the next key
// starts as an earlier one lands. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/connection.h"

namespace server {

class Server;

// Operations of one command in flight at once, at most. They also count against the client's
// budget of deferred replies (Server::MayDefer: a count and what the replies would weigh), so
// pipelining many such commands does not multiply this, and an MGET of large records has few in
// flight.
inline constexpr size_t kKeyFanoutWindow = 256;

class KeyFanout : public std::enable_shared_from_this<KeyFanout> {
 public:
  // Starts the operation for key `index`; it must call `landed` exactly once, at once or later
  // (on the loop thread), after handing its result to the caller's own state.
  using Start =
      std::function<void(size_t index, std::string_view key, std::function<void()> landed)>;

  // Copies `keys` (the command's arguments live in the connection's input buffer only while its
  // handler runs) and starts the first keys. `done` runs once, after the last key has landed;
  // never if the ticket's client goes away first (no key starts after that).
  static void Run(Server& server, const ReplyTicket& ticket, std::span<const std::string_view> keys,
                  Start start, std::function<void()> done);

  KeyFanout(const KeyFanout&) = delete;
  KeyFanout& operator=(const KeyFanout&) = delete;

 private:
  KeyFanout(Server& server, const ReplyTicket& ticket, std::span<const std::string_view> keys,
            Start start, std::function<void()> done);
  void Pump();
  void Landed();
  std::string_view Key(size_t i) const;

  Server& server_;
  ReplyTicket ticket_;
  std::string key_bytes_;     // every key, back to back
  std::vector<size_t> ends_;  // where key i ends in key_bytes_
  Start start_;
  std::function<void()> done_;
  size_t next_ = 0, in_flight_ = 0, landed_ = 0;
  bool pumping_ = false;    // inside Pump: a landing that happens at once must not recurse
  bool abandoned_ = false;  // the client is gone
  bool finished_ = false;
};

}  // namespace server
