// INFO: Redis's sections and field names (tools parse them), plus a `# Whois` section of ours.
#pragma once

#include <string>
#include <vector>

namespace server {

class Server;

// `sections` are lower case; empty means "default". Unknown sections give no text, never an
// error (as in Redis).
std::string BuildInfo(Server& server, const std::vector<std::string>& sections);

}  // namespace server
