// RDAP as a lookup source beside WHOIS: the domain's registry RDAP server from the bootstrap
// registry, then the registrar's RDAP record its answer links to (`rel: related`), each request
// through the UpstreamGate (the same per-host limits as WHOIS; HTTP 429 with Retry-After puts
// the host in cool-down, 5xx and timeouts count as failures). Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "whois/rdap/bootstrap.h"
#include "whois/rdap/http_client.h"
#include "whois/resolver/lookup_result.h"
#include "whois/resolver/upstream_gate.h"

namespace whois {

struct RdapSourceOptions {
  bool allow_private_upstreams = false;                 // `allow-private-upstreams`
  std::map<std::string, std::string> pinned_addresses;  // `upstream-address HOST IP:PORT`
  int connect_timeout_ms = rdap::kDefaultHttpConnectTimeoutMs;
  int total_timeout_ms = rdap::kDefaultHttpTotalTimeoutMs;
  size_t max_body_bytes = rdap::kDefaultMaxBodyBytes;
  int max_referral_hops = 1;  // registry -> registrar
};

class RdapSource {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds

  // `gate` and `http` outlive the source.
  RdapSource(UpstreamGate* gate, rdap::HttpClient* http, rdap::RdapBootstrap bootstrap,
             RdapSourceOptions options, Clock clock);
  ~RdapSource();
  RdapSource(const RdapSource&) = delete;
  RdapSource& operator=(const RdapSource&) = delete;

  // True if the bootstrap registry names an RDAP server for `domain`.
  bool Serves(std::string_view domain) const;
  // The host of that server, if it names one (and its URL parses).
  std::optional<std::string> HostFor(std::string_view domain) const;

  // Resolves `domain` over RDAP. The result's protocol is "rdap"; when found, `record` holds the
  // mapped (and registrar-merged) record and `chain` the JSON documents. `done` is called
  // exactly once, never from inside Lookup().
  // With `priority` kBackground every request waits behind clients at its host (see
  // Resolver::Lookup).
  void Lookup(const std::string& domain, int64_t deadline_ms,
              std::function<void(LookupResult)> done,
              limits::Priority priority = limits::Priority::kClient);

  // Called once per lookup when the registry's RDAP record is in and the registrar's is about to
  // be asked: the result so far (outcome kFound, `record` the registry's). See
  // Resolver::SetProgressHandler; the handler must not call back into the source.
  using Progress = std::function<void(const std::string& domain, const LookupResult& so_far)>;
  void SetProgressHandler(Progress handler) { progress_ = std::move(handler); }

  rdap::RdapBootstrap& bootstrap() { return bootstrap_; }

 private:
  struct Chain;
  void Step(const std::shared_ptr<Chain>& chain, const std::string& url, bool operator_url);
  void OnReply(const std::shared_ptr<Chain>& chain, const std::string& host, const std::string& url,
               rdap::HttpResult h);
  void Fail(const std::shared_ptr<Chain>& chain, ChainHop hop, FallbackReason reason,
            std::string detail, std::optional<int64_t> retry_after_s = std::nullopt);
  void Finish(const std::shared_ptr<Chain>& chain);

  UpstreamGate* gate_;
  rdap::HttpClient* http_;
  rdap::RdapBootstrap bootstrap_;
  RdapSourceOptions options_;
  Clock clock_;
  Progress progress_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// How an RDAP request ended for its host's back-off: 429 is a refusal (with its Retry-After),
// 5xx and timeouts are failures, anything else that arrived is kOk.
limits::Outcome RdapOutcome(const rdap::HttpResult& h, std::optional<int64_t>* named_wait_ms);

}  // namespace whois
