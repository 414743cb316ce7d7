// Fixed-width little-endian integers, as the store's values write them (record_codec.cc) and the
// head mirror's records (head_mirror.cc). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace storage {

// Appends v as sizeof(T) bytes, least significant first (T is uint32_t or uint64_t).
template <typename T>
void PutFixed(std::string* out, T v) {
  static_assert(std::is_unsigned_v<T>);
  for (size_t i = 0; i < sizeof(T); ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The T at the front of `in`, which must hold at least sizeof(T) bytes.
template <typename T>
T DecodeFixed(std::string_view in) {
  static_assert(std::is_unsigned_v<T>);
  T r = 0;
  for (size_t i = 0; i < sizeof(T); ++i) r |= T{static_cast<uint8_t>(in[i])} << (8 * i);
  return r;
}

}  // namespace storage
