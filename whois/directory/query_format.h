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

#include "util/status.h"

namespace whois {

// Longest query format accepted (an override comes from the operator's configuration).
inline constexpr size_t kMaxQueryFormatLength = 128;

// OK if `format` is usable, else InvalidArgument saying why not ("query format 'x' must contain
// %s exactly once").
// A usable format is printable ASCII (no CR, LF, tab or other control byte: the line is sent
// as is and must not smuggle a second query), at most kMaxQueryFormatLength bytes, and holds
// "%s" exactly once and no other '%'.
util::Status CheckQueryFormat(std::string_view format);

// The line to send upstream (without the CRLF) for `domain` with `format`, e.g.
// FormatQuery("-T dn,ace %s", "example.de") holds "-T dn,ace example.de".
// `domain` must be non-empty [a-z0-9.-] (a normalised A-label name). Returns InvalidArgument
// when the format (CheckQueryFormat) or the domain is not acceptable.
util::StatusOr<std::string> FormatQuery(std::string_view format, std::string_view domain);

}  // namespace whois
