#include "whois/resolver/hop_failure.h"

namespace whois {

std::string_view HopFailureKindName(HopFailureKind kind) {
  switch (kind) {
    case HopFailureKind::kNone:
      return "";
    case HopFailureKind::kLimited:
      return "limited";
    case HopFailureKind::kCancelled:
      return "cancelled";
    case HopFailureKind::kInvalidQuery:
      return "invalid_query";
    case HopFailureKind::kInvalidUrl:
      return "invalid_url";
    case HopFailureKind::kUpstream:
      return "upstream";
    case HopFailureKind::kHttp:
      return "http";
    case HopFailureKind::kHttpStatus:
      return "http_status";
    case HopFailureKind::kRefusedByServer:
      return "refused_by_server";
    case HopFailureKind::kUnrecognisedReply:
      return "unrecognised_reply";
    case HopFailureKind::kUnusable:
      return "unusable";
  }
  return "";
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
