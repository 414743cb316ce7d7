// One WHOIS query (RFC 3912) over TCP on the libuv loop: resolve the host, connect, send
// "query\r\n", read until the server closes, decode to UTF-8. The resolver builds referral chains
// from these single queries; limits and scheduling are the caller's business.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "whois/upstream/upstream_result.h"
#include "whois/upstream/whois_transport.h"

namespace whois {

// Runs WHOIS queries on one libuv loop. Not thread-safe: every call, and every callback, happens
// on the loop thread.
//
// Contract of Query():
//  - `done` is called exactly once, always from the loop (never from inside Query() itself, even
//    for a query rejected up front), unless CancelAll() or the destructor runs first, in which
//    case it is called from there with kCancelled.
//  - `done` may do anything, including start new queries, call CancelAll() or destroy this
//    client: the query's state is detached before the callback runs.
//  - Every libuv handle a query opens is closed; the memory is freed once libuv has finished
//    with it, which needs the loop to keep running a little after the last callback (as libuv
//    always does for uv_close). A name lookup already running in the thread pool cannot be
//    interrupted; its late result is discarded.
class UpstreamClient : public WhoisTransport {
 public:
  explicit UpstreamClient(uv_loop_t* loop);
  // Cancels what is in flight: each pending callback fires with kCancelled, keeping the
  // exactly-once promise. An owner whose callbacks touch its own members should call
  // CancelAll() itself while those members are still intact; this is the last resort.
  ~UpstreamClient() override;
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  void Query(const UpstreamTarget& target, std::string query, const UpstreamOptions& options,
             Callback done) override;

  // Fires every pending callback now with kCancelled. Queries started by those callbacks are not
  // cancelled.
  void CancelAll();

  // Queries whose callback has not fired yet.
  size_t in_flight() const { return pending_.size(); }

 private:
  class Call;
  friend class Call;

  uv_loop_t* loop_;
  std::unordered_set<Call*> pending_;
  // One read buffer for every query: libuv fills it and the read callback copies it out before
  // the next read, all on the loop thread. (A 64 KiB buffer per query cost a malloc and a heap
  // consolidation each time.) Shared so a query still closing after the client is gone keeps it.
  std::shared_ptr<char[]> read_buf_;
};

}  // namespace whois
