// Start-up reads that must finish before the server listens. The record store answers on the
// loop (through its PostFn), so these run the loop until the answer has come: nobody is connected
// yet, so running it here delays no one. Loop thread only, before the listeners open.
#pragma once

#include <uv.h>

#include <string_view>

#include "storage/durable_queue.h"
#include "util/status.h"

namespace server {

// Runs `loop` until `done` is true.
void RunLoopUntil(uv_loop_t* loop, const bool& done);

// Opens `queue` (DurableQueue::Open) and waits for it. On failure: IOError "cannot read the
// <what> from the store: <the store's status>".
util::Status OpenQueueBeforeListening(uv_loop_t* loop, storage::DurableQueue* queue,
                                      std::string_view what);

}  // namespace server
