#include "server/protected_mode.h"

namespace server {

bool IsLoopbackIp(std::string_view ip) {
  if (ip.starts_with("::ffff:")) ip.remove_prefix(7);
  return ip.starts_with("127.") || ip == "::1" || ip == "localhost";
}

bool ProtectedModeOn(const Config& config) {
  return config.protected_mode && config.requirepass.empty();
}

bool ProtectedModeRefuses(const Config& config, std::string_view client_ip) {
  return ProtectedModeOn(config) && !IsLoopbackIp(client_ip);
}

std::string PublicBindWhileProtected(const Config& config) {
  if (!ProtectedModeOn(config)) return {};
  for (const auto& b : config.bind)
    if (!IsLoopbackIp(b)) return b;
  return {};
}

std::string_view ProtectedModeDenied() {
  return "DENIED Redis is running in protected mode because protected mode is enabled and no "
         "password is set for the default user. In this mode connections are only accepted "
         "from the loopback interface. If you want to connect from external computers, you may "
         "adopt one of the following solutions: 1) Just disable protected mode sending the "
         "command 'CONFIG SET protected-mode no' from the loopback interface by connecting from "
         "the same host the server is running, however MAKE SURE it is not publicly accessible "
         "from internet if you do so. 2) Set 'protected-mode no' in the configuration file and "
         "restart the server. 3) Set a password with 'requirepass'. NOTE: You only need to do "
         "one of the above things in order for the server to start accepting connections from "
         "the outside.";
}

}  // namespace server
