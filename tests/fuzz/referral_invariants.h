// Invariants of the referral extractor (whois/directory/referral.h).
#pragma once

#include <string_view>

#include "tests/fuzz/violations.h"

namespace fuzz {

// `input` is a whole reply for ExtractReferral; its first line is also tried as one referral
// value for ParseReferralValue. A referral that comes out names a host of [a-z0-9.-] with a dot,
// no control bytes and a port in 1..65535, and parses back to itself.
void CheckReferral(std::string_view input, Violations* v);

}  // namespace fuzz
