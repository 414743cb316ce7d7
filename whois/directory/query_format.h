// Building the query line sent to a WHOIS server from a query format.
//
// A format belongs to the server HOST, not to the TLD: a registrar server reached by referral
// from whois.verisign-grs.com gets a plain query, while whois.verisign-grs.com itself wants
// "domain example.com". Which format (and charset) a host takes is a fact of its profile
// (whois/hosts/host_profile.h); an operator's `tld-server` may override the format. Pure: no I/O,
// no state.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace whois {

// Longest query format accepted (an override comes from the operator's configuration).
inline constexpr size_t kMaxQueryFormatLength = 128;

// Empty if `format` is usable, else why not ("query format 'x' must contain %s exactly once").
// A usable format is printable ASCII (no CR, LF, tab or other control byte: the line is sent
// as is and must not smuggle a second query), at most kMaxQueryFormatLength bytes, and holds
// "%s" exactly once and no other '%'.
std::string QueryFormatError(std::string_view format);

// Why FormatQuery could not build a query line.
struct QueryError {
  std::string message;  // e.g. "query format '%s %s' must contain %s exactly once"
};

// The line to send upstream (without the CRLF) for `domain` with `format`, e.g.
// FormatQuery("-T dn,ace %s", "example.de") holds "-T dn,ace example.de".
// `domain` must be non-empty [a-z0-9.-] (a normalised A-label name). Returns a QueryError when
// the format (QueryFormatError) or the domain is not acceptable.
std::variant<std::string, QueryError> FormatQuery(std::string_view format, std::string_view domain);

}  // namespace whois
