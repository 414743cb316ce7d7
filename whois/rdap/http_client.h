// HTTP(S) GET for RDAP on a libuv loop: libcurl's multi interface driven by the loop (one
// uv_poll_t per socket curl opens, one util::UvTimer for curl's timeouts,
// curl_multi_socket_action), never a thread per request. (libcurl's own threaded DNS resolver may
// run a lookup on a helper thread; that is inside libcurl.)
//
// Every request: TLS peer and host verification on; connect and total timeouts; the body capped
// (past the cap the transfer is aborted and the result is kTooLarge with the first bytes kept);
// up to kMaxRedirects redirects followed; `Accept: application/rdap+json`; gzip/deflate
// accepted (the cap counts decoded bytes, so a compressed bomb is cut too); no proxy, whatever
// the environment says; no credentials sent.
//
// Which URLs may be fetched (the rule the caller relies on):
//  - https always; plain http only when `allow_http` is set (the caller's statement that the
//    URL is the operator's, e.g. an `rdap-server TLD http://...` override), when the request is
//    pinned (`pinned_address`), or when the URL's host is a loopback literal (127.0.0.0/8, ::1:
//    nothing leaves the machine). URLs from data (bootstrap, related links) must be fetched with
//    allow_http false. Redirects may use http only if the original request could.
//  - every address connected to (redirects included) passes the address policy of
//    whois/upstream/address_policy.h: loopback, private, link-local, CGNAT, ... are refused unless
//    `allow_private` (an operator setting), or the address is the pinned one.
//
// Not thread-safe: every call and every callback happens on the loop thread.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/uv_timer.h"

namespace whois::rdap {

inline constexpr int kDefaultHttpConnectTimeoutMs = 5000;
inline constexpr int kDefaultHttpTotalTimeoutMs = 15000;
inline constexpr size_t kDefaultMaxBodyBytes = size_t{1} << 20;
inline constexpr long kMaxRedirects = 3;

struct HttpRequestOptions {
  int connect_timeout_ms = kDefaultHttpConnectTimeoutMs;  // per connection attempt
  int total_timeout_ms = kDefaultHttpTotalTimeoutMs;      // whole request, redirects included
  size_t max_body_bytes = kDefaultMaxBodyBytes;           // decoded body bytes kept
  bool allow_http = false;     // see the rule above; never derive from response data
  bool allow_private = false;  // operator setting: admit non-public addresses
  // "IP", "IP:PORT" or "[IPv6]:PORT": connect there for the URL's host and port (DNS skipped,
  // the address policy not applied to that address, http allowed). TLS still checks the
  // certificate against the URL's host name.
  std::optional<std::string> pinned_address;
  // The local address to connect from (`upstream-source-address`, an IP literal; libcurl's
  // CURLOPT_INTERFACE "host!ADDR"), and only server addresses of its family; empty: the kernel
  // chooses.
  std::string source_address;
  // Called once, on the loop, when the first request is about to be sent on its connection
  // (CURLOPT_PREREQFUNCTION: connected, TLS done): when the server counts it. Never if the
  // request is not sent.
  std::function<void()> on_sent;
  std::string user_agent = "ds9-whois-proxy (RDAP)";
  std::string ca_file;  // empty: the system's CA store
};

enum class HttpFailure {
  kNone,              // a response arrived; see status (a 404 or 429 is kNone too)
  kTimeout,           // connect or total timeout
  kRefused,           // connection refused
  kUnreachable,       // DNS failure, no route, network/host unreachable
  kTls,               // TLS handshake or certificate verification failed
  kTooLarge,          // the body passed max_body_bytes; body holds the first bytes
  kTooManyRedirects,  // more than kMaxRedirects redirects
  kForbiddenUrl,      // refused before sending: bad URL, http not allowed, or a redirect to
                      // a scheme not allowed
  kForbiddenAddress,  // every address was refused by the address policy
  kCancelled,         // CancelAll() or the destructor
  kOther,             // anything else (reset, malformed HTTP, ...); see error
};

// "none", "timeout", "refused", "unreachable", "tls", "too_large", "too_many_redirects",
// "forbidden_url", "forbidden_address", "cancelled", "other": stable names for logs.
std::string_view HttpFailureName(HttpFailure f);

struct HttpResult {
  HttpFailure failure = HttpFailure::kNone;
  long status = 0;                       // HTTP status of the last response; 0 if none
  std::string body;                      // decoded body (at most max_body_bytes)
  bool truncated = false;                // the body was cut (failure is kTooLarge)
  std::optional<int64_t> retry_after_s;  // Retry-After of the last response, in seconds
  std::string content_type;              // Content-Type of the last response
  std::string effective_url;             // the URL finally fetched (after redirects)
  long redirects = 0;                    // redirects followed
  int64_t elapsed_ms = 0;                // from Get() to the callback
  std::string error;                     // human-readable; empty when failure is kNone
};

// Runs HTTP GETs on one libuv loop.
//
// Contract of Get() (the same as whois::UpstreamClient::Query):
//  - `done` is called exactly once, always from the loop (never from inside Get() itself, even
//    for a request refused up front), unless CancelAll() or the destructor runs first, in which
//    case it is called from there with kCancelled.
//  - `done` may do anything, including start new requests, call CancelAll() or destroy this
//    client: the request is detached before the callback runs.
//  - Every libuv handle is closed; memory is freed in the close callbacks, so the loop must run a
//    little after the client is destroyed (as libuv always needs for uv_close).
//
// libcurl must be initialised once per process before the first HttpClient is made:
// HttpClient::GlobalInit() from main(), before other threads start (and GlobalCleanup() at the
// very end, optional).
class HttpClient {
 public:
  // Wraps curl_global_init(CURL_GLOBAL_DEFAULT). Returns an empty string, or why it failed.
  static std::string GlobalInit();
  static void GlobalCleanup();

  explicit HttpClient(uv_loop_t* loop);
  // Cancels what is in flight (each pending callback fires with kCancelled). An owner whose
  // callbacks touch its own members should call CancelAll() itself first.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Callback = std::function<void(HttpResult)>;
  void Get(std::string url, const HttpRequestOptions& options, Callback done);

  // Fires every pending callback now with kCancelled. Requests started by those callbacks are
  // not cancelled.
  void CancelAll();

  size_t in_flight() const { return pending_.size(); }

 private:
  class Call;
  struct Socket;
  friend class Call;

  static int OnCurlSocket(void* easy, int fd, int action, void* userp, void* socketp);
  static int OnCurlTimer(void* multi, long timeout_ms, void* userp);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void OnTimeout();
  void OnDeferred();

  void Defer(Call* call);
  void ProcessDone();
  // Detaches `call`, frees it and runs its callback. Returns false if the callback destroyed
  // this client.
  bool Finish(Call* call);

  uv_loop_t* loop_;
  void* multi_ = nullptr;      // CURLM*
  util::UvTimer curl_timer_;   // curl's timeout
  util::UvTimer defer_timer_;  // runs refused-up-front callbacks on the next turn
  uint64_t next_id_ = 1;
  std::map<uint64_t, Call*> pending_;  // by id: ids, unlike pointers, are never reused
  std::vector<uint64_t> deferred_;
  std::vector<Socket*> sockets_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois::rdap
