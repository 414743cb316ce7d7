// URLs as RDAP uses them: base URLs from the bootstrap registry (RFC 9224), links in RDAP
// responses (RFC 9083 §4.2), and the domain query path built on a base URL (RFC 9082 §3.1.3).
//
// Both the bootstrap file and response links are data from the network, so every URL is checked
// before anyone connects to it: only absolute http/https URLs with a host, no user:password@,
// no whitespace, control or non-ASCII bytes, at most kMaxRdapUrlBytes. Pure; nothing throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/status.h"

namespace whois::rdap {

inline constexpr size_t kMaxRdapUrlBytes = 1024;

struct RdapUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; an IPv6 literal without its brackets
  int port = 0;        // 0: the scheme's default
  std::string path;    // from the first '/', query included; "/" when absent
  bool host_is_ip_literal = false;
};

// The parsed URL, or InvalidArgument saying why it is refused ("URL scheme 'ftp' is not http or
// https", ...).
util::StatusOr<RdapUrl> ParseRdapUrl(std::string_view url);

// True when `host` (as in RdapUrl::host) is an IPv4 literal in 127.0.0.0/8 or "::1": traffic to
// it never leaves the machine, so plain HTTP gives nothing away.
bool IsLoopbackLiteral(std::string_view host);

// `base` with exactly one '/' at its end (RFC 9224 §3 requires base URLs to end in '/'; some
// operators forget it).
std::string WithTrailingSlash(std::string_view base);

// The RFC 9082 domain query: base URL (trailing '/' added when missing) + "domain/" + name.
// `domain` should be an A-label (LDH only), so it needs no percent-encoding.
std::string DomainQueryUrl(std::string_view base, std::string_view domain);

}  // namespace whois::rdap
