// One RDAP HTTP GET's options and result: the vocabulary of HttpTransport and its real
// implementation, HttpClient (whose header states which URLs and addresses may be fetched).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace whois::rdap {

inline constexpr int kDefaultHttpConnectTimeoutMs = 5000;
inline constexpr int kDefaultHttpTotalTimeoutMs = 15000;
inline constexpr size_t kDefaultMaxBodyBytes = size_t{1} << 20;
inline constexpr long kMaxRedirects = 3;

struct HttpRequestOptions {
  int connect_timeout_ms = kDefaultHttpConnectTimeoutMs;  // per connection attempt
  int total_timeout_ms = kDefaultHttpTotalTimeoutMs;      // whole request, redirects included
  size_t max_body_bytes = kDefaultMaxBodyBytes;           // decoded body bytes kept
  bool allow_http = false;     // see the rule in http_client.h; never derive from response data
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

}  // namespace whois::rdap
