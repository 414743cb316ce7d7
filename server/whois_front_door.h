// The WHOIS port (`whois-port`, RFC 3912): one query line per connection, answered from the
// proxy's records as a WHOIS server would (server/whois_reply_text.h), then closed. A query is
// a GET: the same normalisation, hot set, store and live lookup (so the same upstream limits),
// and queries from one client address are limited to `whois-port-limit` per second. Lines
// longer than kMaxLine and connections idle for kIdleMs are closed. Loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/address_rate_limiter.h"
#include "server/request_reply_listener.h"

namespace server {

class Server;

class WhoisFrontDoor {
 public:
  static constexpr size_t kMaxLine = 1024;
  static constexpr int64_t kIdleMs = 10000;

  explicit WhoisFrontDoor(Server* server);
  bool Listen(const std::vector<std::string>& bind, int port);
  void StopListening() { listener_->StopListening(); }
  void Close() { listener_->Close(); }

  struct Figures {
    uint64_t queries = 0, limited = 0;
  };
  const Figures& figures() const { return figures_; }
  size_t connections() const { return listener_->connections(); }

 private:
  void Query(std::string_view line, const std::string& peer_ip,
             RequestReplyListener::Respond respond);

  Server* server_;
  std::unique_ptr<RequestReplyListener> listener_;
  AddressRateLimiter limiter_;
  Figures figures_;
};

}  // namespace server
