#include "server/tcp_listeners.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace server {
namespace {

void FreeListener(uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); }

std::string IpOf(const sockaddr_storage& ss, int* port) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(in, host, sizeof host);
    *port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(in6, host, sizeof host);
    *port = ntohs(in6->sin6_port);
  }
  return host;
}

}  // namespace

bool BindListeners(uv_loop_t* loop, const std::vector<std::string>& bind, int port,
                   std::string_view what, void* data, uv_connection_cb on_connection,
                   Listeners* out) {
  Listeners bound;
  for (const auto& addr : bind) {
    sockaddr_storage ss{};
    bool v6 = addr.find(':') != std::string::npos;
    int rc = v6 ? uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
                : uv_ip4_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
    if (rc != 0) {
      spdlog::critical("invalid bind address '{}': {}", addr, uv_strerror(rc));
      CloseListeners(&bound);
      return false;
    }
    auto listener = std::make_unique<uv_tcp_t>();
    uv_tcp_init(loop, listener.get());
    listener->data = data;
    rc = uv_tcp_bind(listener.get(), reinterpret_cast<sockaddr*>(&ss), v6 ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener.get()), 511, on_connection);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(listener.release()), FreeListener);
      // A host without IPv6 (or without that address) cannot bind ::1; like redis-server's
      // optional default address, that is a warning as long as something else listens.
      if (rc == UV_EADDRNOTAVAIL || rc == UV_EAFNOSUPPORT) {
        spdlog::warn("could not bind {}:{} ({}): {}", addr, port, what, uv_strerror(rc));
        continue;
      }
      spdlog::critical("could not bind {}:{} ({}): {}", addr, port, what, uv_strerror(rc));
      CloseListeners(&bound);
      return false;
    }
    spdlog::info("listening on {}:{} ({})", addr, port, what);
    bound.push_back(std::move(listener));
  }
  if (bound.empty()) {
    spdlog::critical("no address could be bound for the {} port; not starting", what);
    return false;
  }
  for (auto& l : bound) out->push_back(std::move(l));
  return true;
}

void CloseListeners(Listeners* listeners) {
  for (auto& l : *listeners) uv_close(reinterpret_cast<uv_handle_t*>(l.release()), FreeListener);
  listeners->clear();
}

std::string SocketAddressName(const sockaddr_storage& ss) {
  int port = 0;
  std::string ip = IpOf(ss, &port);
  if (ip.empty()) return "?:0";
  return ip + ":" + std::to_string(port);
}

std::string PeerIp(const uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  int port = 0;
  return IpOf(ss, &port);
}

}  // namespace server
