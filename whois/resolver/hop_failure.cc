#include "whois/resolver/hop_failure.h"

#include <iterator>

namespace whois {

namespace {

// Indexed by HopFailureKind, in its order.
constexpr std::string_view kKindNames[] = {
    "",     "limited",     "cancelled",         "invalid_query",      "invalid_url", "upstream",
    "http", "http_status", "refused_by_server", "unrecognised_reply", "unusable",
};
static_assert(std::size(kKindNames) == static_cast<size_t>(HopFailureKind::kUnusable) + 1,
              "one name per HopFailureKind");

}  // namespace

std::string_view HopFailureKindName(HopFailureKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::string HopFailure::ToString() const {
  switch (kind) {
    case HopFailureKind::kLimited:
      return "limited:" + std::string(FallbackReasonName(limit));
    case HopFailureKind::kUpstream:
      return std::string(UpstreamFailureName(upstream));
    case HopFailureKind::kHttp:
      return std::string(rdap::HttpFailureName(http));
    case HopFailureKind::kHttpStatus:
      return "http_" + std::to_string(http_status);
    default:
      return std::string(HopFailureKindName(kind));
  }
}

}  // namespace whois
