// Why one hop of a lookup's chain brought no reply to parse. The transport's own kinds are
// UpstreamFailure (WHOIS, whois/upstream/upstream_client.h) and rdap::HttpFailure (RDAP); this
// says what the resolver made of a hop, for the record assembly and for logs. Pure.
#ifndef WP_WHOIS_RESOLVER_HOP_FAILURE_H_
#define WP_WHOIS_RESOLVER_HOP_FAILURE_H_

#include <cstdint>
#include <string_view>

namespace whois {

enum class HopFailure : uint8_t {
  kNone,               // a reply arrived and is used
  kLimited,            // our own limits kept the query from starting (see the fallback reason)
  kInvalidQuery,       // no query line could be built for the host
  kInvalidUrl,         // the RDAP URL was refused before connecting
  kTransport,          // the connection failed (the lookup's detail says how)
  kCancelled,          // shut down before the query started
  kRefusedByServer,    // the reply is a rate-limit or access refusal (text, or HTTP 429)
  kUnrecognisedReply,  // a registry's reply with no recognisable data
  kServerError,        // an RDAP server answered HTTP 5xx
  kUnusable,           // an RDAP answer that maps to no record
};

// The one name table: "none", "limited", "invalid_query", "invalid_url", "transport",
// "cancelled", "refused_by_server", "unrecognised_reply", "server_error", "unusable".
constexpr std::string_view HopFailureName(HopFailure failure) {
  switch (failure) {
    case HopFailure::kNone:
      return "none";
    case HopFailure::kLimited:
      return "limited";
    case HopFailure::kInvalidQuery:
      return "invalid_query";
    case HopFailure::kInvalidUrl:
      return "invalid_url";
    case HopFailure::kTransport:
      return "transport";
    case HopFailure::kCancelled:
      return "cancelled";
    case HopFailure::kRefusedByServer:
      return "refused_by_server";
    case HopFailure::kUnrecognisedReply:
      return "unrecognised_reply";
    case HopFailure::kServerError:
      return "server_error";
    case HopFailure::kUnusable:
      return "unusable";
  }
  return "none";
}

}  // namespace whois

#endif  // WP_WHOIS_RESOLVER_HOP_FAILURE_H_
