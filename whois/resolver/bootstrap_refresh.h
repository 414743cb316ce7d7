// Keeps the RDAP source's bootstrap registry current (`rdap-bootstrap-url`,
// `rdap-bootstrap-refresh`): fetches the registry through the upstream gate (its host's limits,
// as background work) and the HTTP transport, keeps the operator's `rdap-server` overrides,
// hands the new registry to `persist` (the lookup service stores it under `b:rdap-dns`) and
// gives it to the source. A failed or refused fetch changes nothing and is logged. Loop thread
// only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/uv_timer.h"
#include "whois/rdap/http_transport.h"
#include "whois/resolver/rdap_source.h"
#include "whois/resolver/upstream_gate.h"

namespace whois {

class BootstrapRefresh {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds
  // Stores the encoded registry (RdapBootstrap::Encode); not awaited.
  using Persist = std::function<void(std::string encoded)>;

  // `gate`, `http` and `source` outlive this object.
  BootstrapRefresh(uv_loop_t* loop, UpstreamGate* gate, rdap::HttpTransport* http,
                   RdapSource* source, std::string url, Clock clock, Persist persist);
  ~BootstrapRefresh();
  BootstrapRefresh(const BootstrapRefresh&) = delete;
  BootstrapRefresh& operator=(const BootstrapRefresh&) = delete;

  // Refreshes after `first_ms`, then every `period_ms`.
  void Start(uint64_t first_ms, uint64_t period_ms);
  // One refresh now. `done` (optional) is called once it has ended, whatever the outcome,
  // never from inside Run().
  void Run(std::function<void()> done = nullptr);

 private:
  void OnFetched(const rdap::HttpResult& h);

  uv_loop_t* loop_;
  UpstreamGate* gate_;
  rdap::HttpTransport* http_;
  RdapSource* source_;
  std::string url_;
  Clock clock_;
  Persist persist_;
  util::UvTimer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois
