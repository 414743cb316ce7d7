// The key layout of the record store's LevelDB database (documented in storage/README.md). Every
// key the store writes is built here, so the layout lives in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace storage {

// Written to m:layout when a database is created; checked on every open. A database whose
// m:layout differs is refused rather than guessed at.
inline constexpr std::string_view kLayoutKey = "m:layout";
inline constexpr std::string_view kLayoutMagicPrefix = "ds9-whois-proxy record store layout ";
inline constexpr std::string_view kLayoutMagic = "ds9-whois-proxy record store layout 1";

inline constexpr std::string_view kRecordPrefix = "r:";  // r:<domain> -> record head
inline constexpr std::string_view kChainPrefix = "c:";   // c:<domain> -> raw chain
inline constexpr std::string_view kCountPrefix = "m:count:";
// h:<domain>/<16 hex digits> -> an earlier version of the record (a record head), numbered in the
// order they were archived. '/' sorts below every domain character, so one domain's versions are
// contiguous and never mixed with a longer domain's ("h:a.com/" vs "h:a.com.au/").
inline constexpr std::string_view kHistoryPrefix = "h:";
inline constexpr char kHistorySeparator = '/';

inline std::string RecordKey(std::string_view domain) {
  std::string k(kRecordPrefix);
  k.append(domain);
  return k;
}

inline std::string ChainKey(std::string_view domain) {
  std::string k(kChainPrefix);
  k.append(domain);
  return k;
}

// Every history key of `domain` starts with this.
inline std::string HistoryPrefix(std::string_view domain) {
  std::string k(kHistoryPrefix);
  k.append(domain);
  k.push_back(kHistorySeparator);
  return k;
}

inline std::string HistoryKey(std::string_view domain, uint64_t seq) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string k = HistoryPrefix(domain);
  for (int shift = 60; shift >= 0; shift -= 4) k.push_back(kHex[(seq >> shift) & 0xf]);
  return k;
}

inline std::string CountKey(int shard) { return std::string(kCountPrefix) + std::to_string(shard); }

}  // namespace storage
