#include "whois/resolver/hop_failure.h"

#include "util/enum_names.h"

namespace whois {

namespace {

constexpr util::EnumNames<HopFailureKind::kUnusable> kKindNames(
    {"", "limited", "cancelled", "invalid_query", "invalid_url", "upstream", "http", "http_status",
     "refused_by_server", "unrecognised_reply", "unusable"},
    "unknown");

}  // namespace

std::string_view HopFailureKindName(HopFailureKind kind) { return kKindNames.Name(kind); }

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
