// A small TCP service of one request and one reply per connection, the shape of both HTTP/1.0
// scrapes (/metrics) and RFC 3912 WHOIS: read until the request's terminator ("\r\n\r\n",
// "\n"), hand the request to a handler that answers now or later, write the reply, close. Bounds
// what a client can hold: a request longer than `max_request` bytes, a client idle for
// `idle_ms` before its request is complete, and connections beyond `max_connections` are
// closed (with `overflow_reply` for the first, when it is not empty). Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/tcp_listeners.h"

namespace server {

class RequestReplyListener {
 public:
  struct Options {
    std::string name;        // for log lines: "metrics", "whois"
    std::string terminator;  // what ends a request
    size_t max_request = 8192;
    int64_t idle_ms = 10000;
    size_t max_connections = 256;
    std::string overflow_reply;  // sent before closing a client whose request is too long
  };
  // Writes the reply and closes the connection; does nothing if the client has gone (or the
  // listener closed) meanwhile. May be called once, from the handler or later.
  using Respond = std::function<void(std::string reply)>;
  // `request` includes the terminator; `peer_ip` is the client's address without the port.
  using Handler =
      std::function<void(std::string_view request, const std::string& peer_ip, Respond respond)>;

  RequestReplyListener(uv_loop_t* loop, Options options, Handler handler);
  ~RequestReplyListener();
  RequestReplyListener(const RequestReplyListener&) = delete;
  RequestReplyListener& operator=(const RequestReplyListener&) = delete;

  // Binds `port` at every `bind` address (see BindListeners). False if that failed.
  bool Listen(const std::vector<std::string>& bind, int port);
  // Stops accepting; connections go on.
  void StopListening() { CloseListeners(&listeners_); }
  // Stops listening and closes every connection (replies not yet written are dropped).
  void Close();
  size_t connections() const { return conns_->size(); }
  uint64_t accepted() const { return accepted_; }

 private:
  struct Conn;
  static void OnConnection(uv_stream_t* listener, int status);
  void Accept(uv_stream_t* listener);
  void OnData(Conn* c, std::string_view data);
  void Finish(Conn* c);  // closes both handles; frees `c` after both callbacks
  void Reply(uint64_t id, std::string reply);

  uv_loop_t* loop_;
  Options options_;
  Handler handler_;
  Listeners listeners_;
  uint64_t next_id_ = 1;
  uint64_t accepted_ = 0;
  // Open connections by id; shared with the Respond callbacks, which may outlive the listener.
  std::shared_ptr<std::unordered_map<uint64_t, Conn*>> conns_ =
      std::make_shared<std::unordered_map<uint64_t, Conn*>>();
};

}  // namespace server
