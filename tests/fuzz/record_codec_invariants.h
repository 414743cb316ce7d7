// Invariants of the storage value codec (storage/record_codec.h).
#pragma once

#include <string_view>

#include "tests/fuzz/violations.h"

namespace fuzz {

// Decodes `input` as a record head, a chain and a counter: each decoder either fails with a
// Corruption status and a message, or succeeds on something that encodes back (byte for byte for
// the head and the counter; to an equal chain, since a varint may be written longer than needed).
// The same for packed heads and chains (with a dictionary and without): a decoder fails with a
// Corruption status or gives what packs and unpacks to itself. Then builds a Record and a chain
// from the same bytes and checks that they encode (packed, too) and decode to themselves.
void CheckRecordCodec(std::string_view input, Violations* v);

}  // namespace fuzz
