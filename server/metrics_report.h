// The proxy's figures as a Prometheus scrape (/metrics on `metrics-port`): read at scrape time
// from the modules that own them (RecordService, the upstream limits, the store, the server's
// clients), never kept twice. Names follow Prometheus's conventions: the whois_proxy_ prefix,
// base units (seconds, bytes), _total counters and _seconds histograms. Labels are bounded sets
// (outcomes, reasons, upstream hosts); never a domain. Loop thread only.
#pragma once

#include <string>

namespace server {

class Server;

std::string BuildMetrics(Server& server);

}  // namespace server
