#include "server/open_before_listening.h"

#include <string>

namespace server {

void RunLoopUntil(uv_loop_t* loop, const bool& done) {
  while (!done) uv_run(loop, UV_RUN_ONCE);
}

util::Status OpenQueueBeforeListening(uv_loop_t* loop, storage::DurableQueue* queue,
                                      std::string_view what) {
  bool opened = false;
  storage::Status status;
  queue->Open([&](storage::Status st) {
    status = std::move(st);
    opened = true;
  });
  RunLoopUntil(loop, opened);
  if (!status.ok())
    return util::Status::IOError("cannot read the " + std::string(what) +
                                 " from the store: " + status.ToString());
  return util::Status::OK();
}

}  // namespace server
