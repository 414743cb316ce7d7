// Redis's protected mode: while `protected-mode` is yes and no `requirepass` is set, the server
// serves only this host. Every decision reads the live Config, so CONFIG SET protected-mode (or
// requirepass) takes effect for the next connection; connections already open keep going, as
// in Redis. Pure: no sockets.
#pragma once

#include <string>
#include <string_view>

#include "server/config.h"

namespace server {

// 127.0.0.0/8, ::1, an IPv4-mapped 127.x (::ffff:127.0.0.1), or "localhost".
bool IsLoopbackIp(std::string_view ip);

// protected-mode yes and no requirepass.
bool ProtectedModeOn(const Config& config);

// Whether a new connection from `client_ip` (no port) is refused now.
bool ProtectedModeRefuses(const Config& config, std::string_view client_ip);

// The first `bind` address that is not loopback while protected mode is on, or "" when there is
// none. Start-up refuses such a configuration (a departure from Redis, which starts and then
// refuses every outside client: a proxy that cannot serve its network should say so at once).
std::string PublicBindWhileProtected(const Config& config);

// The error Redis 7 sends a refused client before closing the connection (without -/CRLF).
std::string_view ProtectedModeDenied();

}  // namespace server
