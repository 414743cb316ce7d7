// The key layout of the record store's LevelDB database (documented in storage/README.md). Every
// key the store writes is built here, so the layout lives in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace storage {

// Written to m:layout when a database is created; checked on every open. A database whose
// m:layout differs is refused rather than guessed at.
inline constexpr std::string_view kLayoutKey = "m:layout";
inline constexpr std::string_view kLayoutMagicPrefix = "ds9-whois-proxy record store layout ";
inline constexpr std::string_view kLayoutMagic = "ds9-whois-proxy record store layout 1";
// Layout 2: layout 1's keys, whose values may be packed (storage/value_packer.h), in LevelDB
// blocks left uncompressed. Written by a store that packs, before its first packed value, so
// that a build that knows only layout 1 refuses the database instead of finding every packed
// record damaged.
inline constexpr std::string_view kPackedLayoutMagic = "ds9-whois-proxy record store layout 2";

inline constexpr std::string_view kRecordPrefix = "r:";  // r:<domain> -> record head
inline constexpr std::string_view kChainPrefix = "c:";   // c:<domain> -> raw chain
inline constexpr std::string_view kCountPrefix = "m:count:";
// m:repack:<worker> -> the last key that worker's repacking pass has looked at (see
// RecordStore's repacking); present only while values written before packing may remain.
inline constexpr std::string_view kRepackPrefix = "m:repack:";
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

inline std::string RepackKey(int worker) {
  return std::string(kRepackPrefix) + std::to_string(worker);
}

// The domain whose record head (r:) `key` is; nullopt for any other key.
inline std::optional<std::string_view> DomainOfRecordKey(std::string_view key) {
  if (!key.starts_with(kRecordPrefix)) return std::nullopt;
  return key.substr(kRecordPrefix.size());
}

// The domain whose record (r:), chain (c:) or history version (h:) `key` is; empty for any
// other key.
inline std::string_view DomainOfValueKey(std::string_view key) {
  if (key.starts_with(kRecordPrefix) || key.starts_with(kChainPrefix)) return key.substr(2);
  if (!key.starts_with(kHistoryPrefix)) return {};
  const size_t slash = key.rfind(kHistorySeparator);
  return slash == std::string_view::npos || slash < 2 ? std::string_view{}
                                                      : key.substr(2, slash - 2);
}

}  // namespace storage
