// The record store's options as the configuration sets them: one definition for the server and
// for --repair, so that both open a store the same way (the same dictionaries above all).
#pragma once

#include "server/config.h"
#include "storage/record_store.h"

namespace server {

// dir, memory sizes, threads, sync and the record dictionary heads are packed with. The
// callbacks (on_worker_idle, log, now_ms) are left for the caller.
storage::StoreOptions StoreOptionsFromConfig(const Config& config);

}  // namespace server
