// The SCAN cursor: an order-preserving packing of the first kCursorChars characters of the next
// domain a scan has not yet returned. Domains are normalised A-labels, so each character is one
// of `-`, `.`, `0-9`, `a-z`; with 0 as padding that is base 39, and 39^12 < 2^64. Because the
// packing preserves order, seeking to the decoded prefix resumes a scan exactly, with no server
// state. Cursor 0 is the start (and, returned, the end). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace storage {

inline constexpr size_t kCursorChars = 12;

// True if every character of s is one a cursor can hold (`-`, `.`, `0-9`, `a-z`).
bool IsCursorText(std::string_view s);

// Packs the first kCursorChars characters of s. s must satisfy IsCursorText. A non-empty s
// always packs to a non-zero cursor.
uint64_t EncodeCursor(std::string_view s);

// The prefix a cursor stands for ("" for 0), or nullopt if no string packs to it.
std::optional<std::string> DecodeCursor(uint64_t cursor);

}  // namespace storage
