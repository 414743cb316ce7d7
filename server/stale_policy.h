// What the proxy does with a record near or past its freshness: when it may still be served
// (stale-while-revalidate), how a stale reply is marked, when it is refreshed, and what a finished
// lookup may store over it. Pure: time and configuration are parameters, so every rule is tested
// over a manual clock (tests/server/stale_policy_test.cc).
//
// The rule the project follows: a domain the database knows is answered at once, and what was
// learned is never thrown away by a failure. So a failed refresh of a registered or not_found
// record keeps it (with a growing back-off before the next try), and only a registry answer
// replaces it; a fallback record is knowledge of nothing and is replaced by anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/record.h"
#include "storage/record_store.h"
#include "whois/record/record.h"

namespace server {

// The longest wait between refreshes of a record whose refreshes keep failing.
inline constexpr int64_t kMaxRefreshBackOffMs = int64_t{24} * 3600 * 1000;
// Refresh-ahead starts in the last 1/kRefreshAheadDivisor of a record's time to live.
inline constexpr int64_t kRefreshAheadDivisor = 10;

struct StaleSettings {
  bool serve_stale = true;                                 // `serve-stale`
  int64_t max_stale_ms = int64_t{365} * 24 * 3600 * 1000;  // `max-stale`
};

// Whether a stale record may be answered at once (marked "stale": true) rather than making the
// client wait for a lookup: registered and not_found records, while `serve-stale` is on and the
// record has been stale for less than `max-stale`. Fallback records never are.
bool ServableStale(const storage::Record& rec, int64_t now_ms, const StaleSettings& settings);

// When a GET of this record should start a background refresh: in the last tenth of its time to
// live (refresh-ahead), and never before its refresh back-off allows. Never for a fallback
// record (a GET of a stale one waits for a fresh lookup instead).
int64_t RefreshAtMs(const storage::Record& rec);

// The reply bytes for a stale hit: the bulk string of `json` with "stale":true as its last
// field. `bulk` is "$<len>\r\n<json>\r\n" as the hot set holds it.
std::string StaleBulk(std::string_view bulk);
// The same for a JSON object alone.
std::string StaleJson(std::string_view json);

// The wait after the n-th failed refresh in a row (n >= 1): the wait the failure named
// (`retry_after`, from a refusal or our own limits) when known, else `ttl-fallback` doubling
// with each failure; at least a second and at most kMaxRefreshBackOffMs.
int64_t RefreshBackOffMs(uint32_t failures, std::optional<int64_t> retry_after_s,
                         int64_t ttl_fallback_ms);

// A finished lookup of a domain, as the store rule needs it.
struct LookupAnswer {
  storage::Record fetched;               // the new record: status, times, JSON and chain
  whois::WhoisRecord record;             // the same, parsed (to compare with what is stored)
  std::optional<int64_t> retry_after_s;  // for a fallback: the wait it names
  int64_t now_ms = 0;
  int64_t ttl_fallback_ms = 0;
};

// What to store, given the record stored now (nullptr: none):
//  - none, or a fallback: the answer is stored, whatever it is;
//  - a registered or not_found record and a fallback answer: the record stays, with
//    refresh_failures + 1 and refresh_after_ms = now + RefreshBackOffMs (its chain untouched);
//  - otherwise the answer replaces it, and the stored record goes to history when the answer
//    changes what crawlers use (whois/record/record_change.h) or cannot be compared.
// `answer.fetched` is moved into the update.
storage::RecordUpdate DecideStore(const storage::Record* current, LookupAnswer&& answer);

// True when DecideStore kept `current` instead of storing a fallback answer.
bool KeptRecord(const storage::Record* current, const storage::Record& fetched);

}  // namespace server
