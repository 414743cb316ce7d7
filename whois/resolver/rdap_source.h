// RDAP as a lookup source beside WHOIS: the domain's registry RDAP server from the bootstrap
// registry, then the registrar's RDAP record its answer links to (`rel: related`), each request
// admitted by the UpstreamGate (the same per-host limits as WHOIS; HTTP 429 with Retry-After puts
// the host in cool-down, 5xx and timeouts count as failures) and sent through the HttpTransport
// it is given (HttpClient, or a fake in tests). Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "whois/rdap/bootstrap.h"
#include "whois/rdap/http_request.h"
#include "whois/rdap/http_transport.h"
#include "whois/resolver/lookup_result.h"
#include "whois/resolver/lookup_source.h"
#include "whois/resolver/upstream_access.h"
#include "whois/resolver/upstream_gate.h"

namespace whois {

struct RdapSourceOptions {
  UpstreamAccess access;
  int max_referral_hops = 1;  // registry -> registrar
};

class RdapSource : public LookupSource {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds

  // `gate` and `http` outlive the source.
  RdapSource(UpstreamGate* gate, rdap::HttpTransport* http, rdap::RdapBootstrap bootstrap,
             RdapSourceOptions options, Clock clock);
  ~RdapSource() override;
  RdapSource(const RdapSource&) = delete;
  RdapSource& operator=(const RdapSource&) = delete;

  std::string_view protocol() const override;
  // True if the bootstrap registry names an RDAP server for `domain`.
  bool Serves(std::string_view domain, std::string_view tld) const override;
  // The host of that server, if it names one and its URL parses; else empty.
  std::string FirstHost(std::string_view domain, std::string_view tld) const override;

  // See LookupSource::Lookup. The result's protocol is "rdap"; when found, `record` holds the
  // mapped (and registrar-merged) record and `chain` the JSON documents.
  void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
              limits::Priority priority, Done done) override;

  // Called when the registry's RDAP record is in and the registrar's is about to be asked, with
  // `record` the registry's (see LookupSource::SetProgressHandler).
  void SetProgressHandler(Progress handler) override { progress_ = std::move(handler); }

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
  rdap::HttpTransport* http_;
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
