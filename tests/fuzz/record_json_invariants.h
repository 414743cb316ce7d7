// Invariants of the record schema (whois/record/record.h): RecordFromJson and ToJson.
#pragma once

#include <string_view>

#include "tests/fuzz/violations.h"

namespace fuzz {

// Imports `input` with RecordFromJson. For an accepted record R: ToJson(R) is accepted again, the
// record that comes back (R2) serialises to the same bytes, and R2 survives a further round trip
// unchanged (ToJson canonicalises once: nameservers lower case and deduplicated, empty list
// items and a `unicode` equal to `domain` dropped, so R2 may differ from R only in those).
// Nothing throws. MakeInvalidRecord(input) is checked to serialise and import too.
void CheckRecordJson(std::string_view input, Violations* v);

}  // namespace fuzz
