// Helpers shared by the files that implement RecordStore (record_store.cc, record_history.cc,
// meta_transaction.cc). Not part of the store's interface.
#pragma once

#include <leveldb/slice.h>
#include <leveldb/status.h>

#include <string>
#include <string_view>

#include "storage/status.h"

namespace storage::internal {

// A LevelDB status as ours, its message prefixed with `context`.
Status FromLevelDb(const leveldb::Status& s, const std::string& context);
// What queued operations get when the store is destroyed before they run.
Status Closing();
bool StartsWith(const leveldb::Slice& s, std::string_view prefix);
// InvalidArgument unless domain is a normalised name (only a-z, 0-9, '-' and '.').
Status CheckDomain(const std::string& domain);

}  // namespace storage::internal
