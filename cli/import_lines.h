// One line of a `whois-proxy-cli import` input: a record as JSON (what `export` writes), or a
// blank line. Pure: time and the server's TTLs are parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cli {

// The server's ttl-registered / ttl-not-found / ttl-fallback, in milliseconds.
struct Ttls {
  int64_t registered_ms = 0;
  int64_t not_found_ms = 0;
  int64_t fallback_ms = 0;
};

struct ImportLine {
  enum class Kind { kBlank, kRecord, kBad };
  Kind kind = Kind::kBlank;
  std::string domain;  // kRecord: the key to SET (the record's "domain")
  std::string json;    // kRecord: the line, trimmed
  // kRecord: milliseconds until the record goes stale, so that it keeps its age: its TTL less
  // the time since its source.fetched_at (at least 1: an old record arrives stale). nullopt when
  // `ttls` is not given or the record says nothing of its age (SET's own TTL applies).
  std::optional<int64_t> px_ms;
  std::string reason;  // kBad: why the line cannot be a record
};

// The server validates the record itself (SET); this only finds what the line is about, so that
// a line it cannot even address is reported with its reason rather than sent.
ImportLine ParseImportLine(std::string_view line, const std::optional<Ttls>& ttls, int64_t now_ms);

// Unix milliseconds of "YYYY-MM-DDTHH:MM:SSZ", or nullopt.
std::optional<int64_t> ParseIsoUtcMs(std::string_view text);

}  // namespace cli
