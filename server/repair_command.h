// `whois-proxy --repair`: rebuilds the record store in the configured `dir` with LevelDB's
// RepairDB, prints what it found and saved, and exits. It does not start the server, so an
// operator reads the summary (and can look at <dir>/lost) before serving from the result.
#pragma once

#include <ostream>

#include "server/config.h"

namespace server {

// Returns the process exit code: 0 if the store was repaired and opens, 1 otherwise (the
// reason on `err`).
int RunRepair(const Config& config, std::ostream& out, std::ostream& err);

}  // namespace server
