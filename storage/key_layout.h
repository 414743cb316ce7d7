// The key layout of the record store's LevelDB database (documented in storage/README.md). Every
// key the store writes is built here, so the layout lives in one place.
#pragma once

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

inline std::string CountKey(int shard) { return std::string(kCountPrefix) + std::to_string(shard); }

}  // namespace storage
