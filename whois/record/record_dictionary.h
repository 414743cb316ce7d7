// The text the fleet compresses records with (storage/fleet/fleet_record_codec.h: a zstd
// raw-content dictionary): typical records written by ToJson, so that the field names, the
// shapes of the values and the strings many records share (registrars, privacy services, name
// server and registry hosts, EPP status codes, redacted field paths) are there to copy from.
// Built from this code at start-up; no binary blob, nothing trained on anyone's data.
//
// The bytes are part of the fleet's value format: values name the dictionary by id, and every
// proxy of a fleet must produce the same bytes for it. So the text of an id never changes (a
// test pins its hash): a better text is a new function with a new id, and the old one is kept
// for reading what older proxies wrote.
#pragma once

#include <cstdint>
#include <string>

namespace whois {

inline constexpr uint8_t kRecordDictionaryId = 1;

// The dictionary kRecordDictionaryId names (about 21 KB). Pure.
std::string RecordDictionaryText();

}  // namespace whois
