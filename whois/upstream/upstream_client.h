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

#include "util/status.h"

namespace whois {

// Where to send a query.
struct UpstreamTarget {
  std::string host;  // a DNS name, or an IP literal
  uint16_t port = 43;
  // "IP" or "IP:PORT" / "[IPv6]:PORT" from `upstream-address HOST IP:PORT`. When set, DNS is
  // skipped, the address policy is not applied (the operator chose it), and a port given here
  // overrides `port`.
  std::optional<std::string> pinned_address;
};

// Defaults suit a public WHOIS server; the directory may override per host.
inline constexpr int kDefaultConnectTimeoutMs = 3000;
inline constexpr int kDefaultQueryTimeoutMs = 10000;
inline constexpr size_t kDefaultMaxReplyBytes = 1 << 20;

struct UpstreamOptions {
  int connect_timeout_ms = kDefaultConnectTimeoutMs;  // per address tried
  int query_timeout_ms = kDefaultQueryTimeoutMs;      // whole query, DNS included
  size_t max_reply_bytes = kDefaultMaxReplyBytes;     // raw bytes kept; the rest is not read
  std::string charset = "utf-8";                      // what the server sends
  // Operator setting: admit loopback/private/link-local/CGNAT addresses from DNS. Never derive
  // this from upstream data.
  bool allow_private = false;
  // The local address to connect from (`upstream-source-address`, an IP literal); empty: the
  // kernel chooses. Only server addresses of its family are tried.
  std::string source_address;
  // Called once, on the loop, right after the query's bytes are handed to the kernel (what the
  // server counts, see limits/budget.h); never if the query is not sent.
  std::function<void()> on_sent;
};

enum class UpstreamFailure {
  kNone,              // a reply arrived (possibly truncated); see text
  kRefused,           // ECONNREFUSED on every address tried (or on the last one)
  kReset,             // connection reset before any byte of reply
  kTimedOut,          // connect timeout on every address, or the overall query timeout
  kEmptyReply,        // the server closed without sending anything
  kUnreachable,       // DNS failure, no address, network/host unreachable, other socket errors
  kForbiddenAddress,  // every resolved address is loopback/private/... and not allowed
  kInvalidQuery,      // the query holds CR, LF or another control character: nothing was sent
  kCancelled,         // CancelAll() (shutdown) or the client was destroyed
};

// "none", "refused", "reset", "timed_out", "empty_reply", "unreachable", "forbidden_address",
// "invalid_query", "cancelled": stable names for logs, INFO and records.
std::string_view UpstreamFailureName(UpstreamFailure f);

struct UpstreamResult {
  UpstreamFailure failure = UpstreamFailure::kNone;
  // The reply decoded to UTF-8. Also holds whatever arrived before a kTimedOut (partial text);
  // empty for the other failures.
  std::string text;
  bool truncated = false;       // the reply was cut at max_reply_bytes (failure is kNone)
  size_t raw_bytes = 0;         // bytes received (at most max_reply_bytes)
  std::string address_used;     // "192.0.2.1:43" / "[2001:db8::1]:43"; empty if none was tried
  int64_t elapsed_ms = 0;       // from Query() to the callback
  std::string error;            // human-readable, empty when failure is kNone
  std::string charset_warning;  // non-empty if the charset was unknown (text decoded as UTF-8)
};

// OK if `query` can be sent as one WHOIS line, else InvalidArgument saying why (empty, too long,
// or holding a control character such as CR or LF).
inline constexpr size_t kMaxQueryBytes = 1024;
util::Status CheckWhoisQuery(std::string_view query);

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
class UpstreamClient {
 public:
  explicit UpstreamClient(uv_loop_t* loop);
  // Cancels what is in flight: each pending callback fires with kCancelled, keeping the
  // exactly-once promise. An owner whose callbacks touch its own members should call
  // CancelAll() itself while those members are still intact; this is the last resort.
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  using Callback = std::function<void(UpstreamResult)>;
  void Query(const UpstreamTarget& target, std::string query, const UpstreamOptions& options,
             Callback done);

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
