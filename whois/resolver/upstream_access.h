// How every lookup source may reach upstream hosts: the operator's settings (`upstream-address`,
// `allow-private-upstreams`, `upstream-connect-timeout`, `upstream-timeout`,
// `upstream-max-reply`), one value that the WHOIS and RDAP sources both read. Pure data.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "whois/upstream/upstream_result.h"

namespace whois {

struct UpstreamAccess {
  // Admit upstreams whose names resolve to loopback/private/link-local addresses. An operator
  // setting: never derived from upstream data.
  bool allow_private = false;
  // Host → "IP[:PORT]" (`upstream-address`): DNS is skipped and the address policy not applied;
  // a pinned RDAP host may be fetched over http.
  std::map<std::string, std::string> pinned_addresses;
  int connect_timeout_ms = kDefaultConnectTimeoutMs;  // per address (WHOIS) or attempt (RDAP)
  int timeout_ms = kDefaultQueryTimeoutMs;            // a whole query or request
  size_t max_reply_bytes = kDefaultMaxReplyBytes;     // a reply's (or body's) bytes kept
};

}  // namespace whois
