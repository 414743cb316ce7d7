// Invariants of name normalisation (whois/names/domain_name.h).
#pragma once

#include <string_view>

#include "tests/fuzz/violations.h"

namespace fuzz {

// Normalises `input` with the Public Suffix List at WP_PSL_FILE (loaded once). An accepted name
// gives a domain of [a-z0-9.-], at most 253 bytes, that normalises to itself; its host and its
// U-label normalise to the same domain. A refusal gives a reason without control bytes.
void CheckDomainName(std::string_view input, Violations* v);

}  // namespace fuzz
