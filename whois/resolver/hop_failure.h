// Why one hop of a lookup chain brought no usable reply: a kind from one table, plus the detail
// that kind carries (which of our limits, which transport failure, which HTTP status). Pure data;
// ToString() renders the stable text tests and operators have always matched on
// ("timed_out", "http_503", "limited:rate_limited").
#pragma once

#include <string>
#include <string_view>

#include "whois/rdap/http_request.h"
#include "whois/record/fallback_reason.h"
#include "whois/upstream/upstream_result.h"

namespace whois {

enum class HopFailureKind {
  kNone,               // a reply arrived and counts
  kLimited,            // our own limits kept the query from starting (detail: limit)
  kCancelled,          // the gate cancelled the query before it started (shutdown)
  kInvalidQuery,       // the host's query format cannot spell the domain: nothing was sent
  kInvalidUrl,         // the RDAP URL does not parse: nothing was sent
  kUpstream,           // the WHOIS transport failed (detail: upstream)
  kHttp,               // the RDAP transport failed (detail: http)
  kHttpStatus,         // the RDAP server answered a 5xx (detail: http_status)
  kRefusedByServer,    // the reply is a rate-limit or access refusal (or an HTTP 429)
  kUnrecognisedReply,  // a registry's reply holds nothing recognisable
  kUnusable,           // an RDAP registry's answer could not be used (stays last: the name
                       // table checks its length against it)
};

// The one name table of HopFailureKind: "", "limited", "cancelled", "invalid_query",
// "invalid_url", "upstream", "http", "http_status", "refused_by_server", "unrecognised_reply",
// "unusable". ToString() uses it for the kinds without detail.
std::string_view HopFailureKindName(HopFailureKind kind);

struct HopFailure {
  HopFailureKind kind = HopFailureKind::kNone;
  // The detail: only the field of `kind` is meaningful.
  FallbackReason limit = FallbackReason::kUnreachable;  // kLimited
  UpstreamFailure upstream = UpstreamFailure::kNone;    // kUpstream
  rdap::HttpFailure http = rdap::HttpFailure::kNone;    // kHttp
  int http_status = 0;                                  // kHttpStatus

  static HopFailure Of(HopFailureKind kind) { return {.kind = kind}; }
  static HopFailure Limited(FallbackReason reason) {
    return {.kind = HopFailureKind::kLimited, .limit = reason};
  }
  static HopFailure Upstream(UpstreamFailure f) {
    return {.kind = HopFailureKind::kUpstream, .upstream = f};
  }
  static HopFailure Http(rdap::HttpFailure f) { return {.kind = HopFailureKind::kHttp, .http = f}; }
  static HopFailure HttpStatus(int status) {
    return {.kind = HopFailureKind::kHttpStatus, .http_status = status};
  }

  bool failed() const { return kind != HopFailureKind::kNone; }
  // "" for kNone; "limited:<FallbackReasonName>", UpstreamFailureName, HttpFailureName,
  // "http_<status>", else the kind's name.
  std::string ToString() const;

  friend bool operator==(const HopFailure&, const HopFailure&) = default;
};

}  // namespace whois
