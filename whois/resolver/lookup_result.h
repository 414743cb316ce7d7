// What a live lookup found: the replies of its chain and how it ended. Pure data, shared by the
// resolver (which fills it) and the record assembly (which turns it into the JSON record).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "whois/parser/reply_classifier.h"
#include "whois/record/fallback_reason.h"
#include "whois/record/record.h"

namespace whois {

// One query of the chain, as sent and as answered.
struct ChainHop {
  std::string server;  // host, or host:port when not 43
  std::string query;   // the line sent, without CRLF
  std::string text;    // the reply decoded to UTF-8 (may be partial after a timeout)
  int64_t fetched_at_ms = 0;
  // Empty if a reply arrived; else why not ("timed_out", "refused", ..., or "refused_by_server"
  // when the text is a rate-limit or access refusal).
  std::string failure;
  // ClassifyReply(text) when a reply arrived and was classified (the resolver does, to follow
  // the chain), so that the record assembly need not scan the text again.
  std::optional<ReplyKind> kind;
};

enum class LookupOutcome {
  kFound,     // some server returned data for the domain (later hops may have failed)
  kNotFound,  // the registry says the domain is not registered
  kFailed,    // no data: see fallback_reason
};

struct LookupResult {
  LookupOutcome outcome = LookupOutcome::kFailed;
  std::vector<ChainHop> chain;
  // For kFailed, the record's fallback reason.
  FallbackReason fallback_reason = FallbackReason::kUnreachable;
  std::string detail;  // human-readable, for logs and WHOIS.LOOKUP
  // For kFailed: seconds until asking again may succeed, when a limit or the server says so.
  std::optional<int64_t> retry_after_s;
  // Which source answered: "whois" (the chain's texts are parsed into the record) or "rdap"
  // (the record was mapped from the JSON already, and is in `record`).
  std::string protocol = "whois";
  std::optional<WhoisRecord> record;
};

}  // namespace whois
