// HttpTransport: how one RDAP GET reaches its server. The RDAP source and the bootstrap refresh
// call it once the upstream gate admits the request, so they run in tests against a fake
// transport. HttpClient (libcurl on libuv) is the real one. Loop thread only.
#pragma once

#include <functional>
#include <string>

#include "whois/rdap/http_request.h"

namespace whois::rdap {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  using Callback = std::function<void(HttpResult)>;
  // Fetches `url` and calls `done` exactly once, on the loop, never from inside Get(); a request
  // cancelled by shutdown ends with HttpFailure::kCancelled. `options.on_sent` is called when
  // the request is about to be sent, never if it is not.
  virtual void Get(std::string url, const HttpRequestOptions& options, Callback done) = 0;
};

}  // namespace whois::rdap
