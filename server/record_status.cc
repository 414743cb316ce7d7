#include "server/record_status.h"

#include <string>

#include "whois/record/record.h"

namespace server {

util::StatusOr<storage::RecordStatus> StoredRecordStatus(std::string_view json_status) {
  if (json_status == whois::kStatusRegistered) return storage::RecordStatus::kRegistered;
  if (json_status == whois::kStatusNotFound) return storage::RecordStatus::kNotFound;
  if (json_status == whois::kStatusFallback) return storage::RecordStatus::kFallback;
  return util::Status::InvalidArgument(
      "record status must be registered, not_found or fallback, not '" + std::string(json_status) +
      "'");
}

}  // namespace server
