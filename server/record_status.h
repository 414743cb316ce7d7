// The stored status of a record (storage::RecordStatus) for the `status` of its JSON
// (whois/record/record.h). Pure.
#ifndef WP_SERVER_RECORD_STATUS_H_
#define WP_SERVER_RECORD_STATUS_H_

#include <string_view>

#include "storage/record.h"
#include "util/status.h"

namespace server {

// kRegistered, kNotFound or kFallback for "registered", "not_found" or "fallback". Any other
// status ("invalid" is never stored) is InvalidArgument with the message IMPORT shows after
// "ERR ": "record status must be registered, not_found or fallback, not '<status>'".
util::StatusOr<storage::RecordStatus> StoredRecordStatus(std::string_view json_status);

}  // namespace server

#endif  // WP_SERVER_RECORD_STATUS_H_
