// Invariants of the WHOIS reply parser (whois/parser/reply_parser.h), classifier
// (whois/parser/reply_classifier.h) and date reader (whois/parser/whois_date.h).
#pragma once

#include <string_view>

#include "tests/fuzz/violations.h"

namespace fuzz {

// Hops are separated by NUL bytes.
inline constexpr char kHopSeparator = '\0';
inline constexpr size_t kMaxHops = 4;

// `input` is a referral chain of up to kMaxHops hops separated by kHopSeparator (the last hop
// keeps any further separators); each hop is "<server host>\n<reply text>". Checks every hop
// through ClassifyReply, RetryAfterSeconds, ParseReply and ParseWhoisDate (on its first lines),
// and the whole chain through BuildRecord, adding what breaks to *v.
void CheckWhoisReply(std::string_view input, Violations* v);

}  // namespace fuzz
