// WhoisTransport: how one WHOIS query reaches its host. The upstream gate calls it once its
// limits admit the query, so the gate (and the sources above it) run in tests against a fake
// transport on a manual clock. UpstreamClient is the real one. Loop thread only.
#pragma once

#include <functional>
#include <string>

#include "whois/upstream/upstream_result.h"

namespace whois {

class WhoisTransport {
 public:
  virtual ~WhoisTransport() = default;

  using Callback = std::function<void(UpstreamResult)>;
  // Sends `query` to `target` and calls `done` exactly once, on the loop, never from inside
  // Query(); a query cancelled by shutdown ends with UpstreamFailure::kCancelled.
  // `options.on_sent` is called when the query's bytes are written, never if they are not.
  virtual void Query(const UpstreamTarget& target, std::string query,
                     const UpstreamOptions& options, Callback done) = 0;
};

}  // namespace whois
