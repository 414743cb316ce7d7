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
#include "whois/rdap/http_request.h"
#include "whois/rdap/http_transport.h"

namespace whois::rdap {

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
class HttpClient : public HttpTransport {
 public:
  // Wraps curl_global_init(CURL_GLOBAL_DEFAULT). Returns an empty string, or why it failed.
  static std::string GlobalInit();
  static void GlobalCleanup();

  explicit HttpClient(uv_loop_t* loop);
  // Cancels what is in flight (each pending callback fires with kCancelled). An owner whose
  // callbacks touch its own members should call CancelAll() itself first.
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void Get(std::string url, const HttpRequestOptions& options, Callback done) override;

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
