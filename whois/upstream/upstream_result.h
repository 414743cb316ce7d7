// What a WHOIS query is sent to, with which options, and how it ended: the vocabulary shared by
// the upstream client and everything that sends queries through it (WhoisTransport).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace whois
