// Listening sockets on each `bind` address, shared by the Redis port, the metrics port and the
// WHOIS port: an address the host lacks (::1 without IPv6) is a warning as long as another one
// binds, anything else stops start-up.
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace server {

using Listeners = std::vector<std::unique_ptr<uv_tcp_t>>;

// Binds and listens on `port` at every address of `bind`; each listener's `data` is `data` and
// its connections go to `on_connection`. `what` names the port in log lines ("metrics"). Returns
// false (having logged why, and bound nothing) when an address is invalid or cannot be bound, or
// none could.
bool BindListeners(uv_loop_t* loop, const std::vector<std::string>& bind, int port,
                   std::string_view what, void* data, uv_connection_cb on_connection,
                   Listeners* out);
// Closes the listeners (their memory is freed by the close callbacks).
void CloseListeners(Listeners* listeners);

// "ip:port" of a socket address ("?:0" for another family).
std::string SocketAddressName(const sockaddr_storage& ss);
// The peer's IP address alone, "" if unknown.
std::string PeerIp(const uv_tcp_t* tcp);

}  // namespace server
