// Finding the next WHOIS server named in a reply, and checking that a named server is one we may
// connect to.
//
// Every value here comes from untrusted text: a registry or registrar may name an empty value, a
// web form, an IP address, a name without a dot, or garbage. Only a plain DNS host name (and a
// port) comes out. Pure: no DNS, no I/O. The resolver still applies its address policy
// (whois/upstream/address_policy.h) to whatever the name resolves to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace whois {

inline constexpr uint16_t kWhoisPort = 43;
// Longer referral values are rejected unread.
inline constexpr size_t kMaxReferralValueLength = 512;

struct Referral {
  std::string host;  // lower case, no trailing dot, valid DNS name with at least one dot
  uint16_t port = kWhoisPort;
  // True when the value was an rwhois:// URL (RFC 2167). Such a server listens on its own port
  // (usually 4321) and answers RWhois, not RFC 3912 text; the caller decides whether to follow.
  bool rwhois = false;
};

// True when `host` is a DNS name we accept as a WHOIS server: LDH labels of 1-63 octets (letters,
// digits, inner hyphens; case-insensitive), at most 253 octets, at least two labels, and a last
// label that is not all digits (so no IPv4 literal; IPv6 literals hold ':' and fail anyway).
// No trailing dot.
bool IsValidServerHostName(std::string_view host);

// Checks one referral value and turns it into a server. Accepted:
//   whois.example.com   WHOIS.Example.COM.   whois.example.com:4343   whois.example.com/path
//   whois://whois.example.com[:port][/...]   rwhois://rwhois.example.net:4321[/auth-area=...]
// Surrounding blanks are trimmed, the host is lower-cased and one trailing dot dropped, a path is
// dropped. The port is kept if given (1-65535), else 43.
// Rejected (InvalidArgument saying why, safe to log): an empty value, http:// and https:// URLs
// (web forms, not port-43 servers), any other scheme, user@host, blanks or control bytes inside
// the value, IP literals, names without a dot, and anything else that is not a valid host name.
util::StatusOr<Referral> ParseReferralValue(std::string_view value);

// Whether `referral`, found in upstream data, may be followed as given. Its port is upstream data
// too: a port other than 43 is honoured only for a host the operator pinned (`upstream-address`),
// so that a registry cannot aim the proxy at another service of any host it names. Returns OK if
// it may be followed, else InvalidArgument saying why not (for the log).
util::Status CheckReferralPort(const Referral& referral, bool pinned);

// Finds the next server named in `reply_text` (a whole reply, already decoded to UTF-8). Forms,
// in order of precedence (the first form present decides; within it the rule given):
//   refer: HOST                    IANA's answer to a domain query (first line)
//   whois: HOST                    IANA's answer to a TLD query, some registries (first line)
//   Registrar WHOIS Server: HOST   registry replies (Verisign indents these); also the older
//   Whois Server: HOST             name. Taken from the FIRST "Domain Name:" record only: a
//                                  Verisign thin reply may list name-server records (with
//                                  their registrars' servers) before the domain's record, and
//                                  a record ends at a blank line or at the next "Domain Name:"
//   ReferralServer: URL            ARIN style (last line: ARIN lists the most specific last)
//   %referral URL / % referral URL RWhois style (first line)
// Keys are case-insensitive and may be indented. Returns nullopt when no form names a usable
// server; if a form named one that was rejected, *reason (if given) says which and why, for logs.
// A reply that names no server at all leaves *reason empty.
std::optional<Referral> ExtractReferral(std::string_view reply_text, std::string* reason = nullptr);

}  // namespace whois
