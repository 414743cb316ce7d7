// Pure encoders and decoders for the values the record store writes (see storage/README.md for
// the layout). Decoders never trust their input: a truncated, garbled or unknown-version value
// gives a Corruption status and leaves the output in an unspecified but valid state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record.h"
#include "storage/status.h"

namespace storage {

// Version byte at the start of every r: and c: value. Bump it (and keep decoding the old one)
// when the value layout changes.
inline constexpr uint8_t kValueLayoutVersion = 1;
// A record head with refresh back-off: version 1's fields, then refresh_failures (4 bytes) and
// refresh_after_ms (8 bytes), then the JSON. Written only when the back-off is set, so a record
// without one keeps version 1's bytes.
inline constexpr uint8_t kHeadWithRefreshVersion = 2;

// r:<domain> — version, status, flags, fetched_at_ms, stale_at_ms, [refresh_failures,
// refresh_after_ms,] then the JSON. Ignores rec.chain.
std::string EncodeRecordHead(const Record& rec);
Status DecodeRecordHead(std::string_view in, Record* rec);

// c:<domain> — version, hop count, then per hop: server, query, text (each length-prefixed) and
// fetched_at_ms.
std::string EncodeChain(const std::vector<RawReply>& chain);
Status DecodeChain(std::string_view in, std::vector<RawReply>* chain);

// m:count:<n> — a record counter, 8 bytes little-endian.
std::string EncodeCounter(uint64_t n);
Status DecodeCounter(std::string_view in, uint64_t* n);

}  // namespace storage
