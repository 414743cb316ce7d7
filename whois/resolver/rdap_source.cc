#include "whois/resolver/rdap_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "whois/rdap/rdap_mapper.h"
#include "whois/rdap/rdap_url.h"

namespace whois {

struct RdapSource::Chain : LookupChain {
  using LookupChain::LookupChain;
  rdap::RdapDomainResult registry;  // the registry's answer, merged with the registrar's
  std::set<std::string> visited;    // URLs asked: a link back to one of them ends the chain
  int referral_hops = 0;
};

limits::Outcome RdapOutcome(const rdap::HttpResult& h, std::optional<int64_t>* named_wait_ms) {
  switch (h.failure) {
    case rdap::HttpFailure::kNone:
      break;
    case rdap::HttpFailure::kTimeout:
      return limits::Outcome::kTimeout;
    default:
      return limits::Outcome::kOtherFailure;
  }
  if (h.status == 429) {
    if (h.retry_after_s) *named_wait_ms = *h.retry_after_s * 1000;
    return limits::Outcome::kRefused;
  }
  if (h.status >= 500) return limits::Outcome::kTimeout;  // counted like timeouts: 3 make a strike
  return limits::Outcome::kOk;
}

RdapSource::RdapSource(UpstreamGate* gate, rdap::HttpTransport* http, rdap::RdapBootstrap bootstrap,
                       RdapSourceOptions options, Clock clock)
    : gate_(gate),
      http_(http),
      bootstrap_(std::move(bootstrap)),
      options_(std::move(options)),
      clock_(std::move(clock)) {}

RdapSource::~RdapSource() { *alive_ = false; }

std::string_view RdapSource::protocol() const { return kProtocolRdap; }

bool RdapSource::Serves(std::string_view domain, std::string_view) const {
  return bootstrap_.BaseUrl(domain).has_value();
}

std::string RdapSource::FirstHost(std::string_view domain, std::string_view) const {
  std::optional<std::string> base = bootstrap_.BaseUrl(domain);
  if (!base) return {};
  auto parsed = rdap::ParseRdapUrl(*base);
  if (!parsed.ok()) return {};
  return parsed->host;
}

void RdapSource::Lookup(const std::string& domain, const std::string&, int64_t deadline_ms,
                        limits::Priority priority, Done done) {
  auto chain = std::make_shared<Chain>(domain, deadline_ms, priority, std::move(done));
  chain->result.protocol = std::string(kProtocolRdap);
  const rdap::BootstrapEntry* entry = bootstrap_.Find(domain);
  std::optional<std::string> base = bootstrap_.BaseUrl(domain);
  // Serves() was asked first; a base URL that vanished since still gets an answer.
  Step(chain, base ? rdap::DomainQueryUrl(*base, domain) : std::string(),
       entry != nullptr && entry->is_override);
}

void RdapSource::Step(const std::shared_ptr<Chain>& chain, const std::string& url,
                      bool operator_url) {
  auto parsed = rdap::ParseRdapUrl(url);
  if (!parsed.ok()) {
    ChainHop hop;
    hop.server = "rdap";
    hop.query = url;
    hop.failure = HopFailure::Of(HopFailureKind::kInvalidUrl);
    return Fail(chain, std::move(hop), FallbackReason::kUnreachable,
                "RDAP URL '" + url + "': " + parsed.status().message());
  }
  const rdap::RdapUrl& u = parsed.value();
  std::string host = u.host;
  chain->visited.insert(url);
  rdap::HttpRequestOptions o;
  o.connect_timeout_ms = options_.access.connect_timeout_ms;
  o.total_timeout_ms = options_.access.timeout_ms;
  o.max_body_bytes = options_.access.max_reply_bytes;
  // A URL the operator configured (`rdap-server`) or a pinned host is the operator's choice,
  // like `upstream-address` for WHOIS; URLs from data (bootstrap, related links) get https and
  // the address policy.
  if (auto it = options_.access.pinned_addresses.find(host);
      it != options_.access.pinned_addresses.end())
    o.pinned_address = it->second;
  o.allow_http = operator_url || o.pinned_address.has_value();
  o.allow_private = options_.access.allow_private || operator_url;
  int64_t now = clock_();
  limits::Priority priority = !chain->background && now < chain->deadline_ms
                                  ? limits::Priority::kClient
                                  : limits::Priority::kBackground;
  int64_t deadline = chain->result.chain.empty() ? chain->deadline_ms
                                                 : std::max(chain->deadline_ms, now + 60 * 1000);
  gate_->Admit(
      host, priority, deadline,
      [this, chain, host, url, o, alive = alive_](UpstreamGate::GateStart start) mutable {
        o.source_address = std::move(start.source_address);
        o.on_sent = std::move(start.sent);
        http_->Get(
            url, o,
            [this, chain, host, url, finish = std::move(start.finish), alive](rdap::HttpResult h) {
              std::optional<int64_t> wait_ms;
              finish(RdapOutcome(h, &wait_ms), wait_ms);
              if (*alive) OnReply(chain, host, url, std::move(h));
            });
      },
      [this, chain, host, url, alive = alive_](GateResult g) {
        if (!*alive) return;
        ChainHop hop{.server = host, .query = url, .fetched_at_ms = clock_()};
        if (g.limited) {
          hop.failure = HopFailure::Limited(*g.limited);
          return Fail(chain, std::move(hop), *g.limited, host + ": " + g.message, g.retry_after_s);
        }
        hop.failure = HopFailure::Of(HopFailureKind::kCancelled);
        Fail(chain, std::move(hop), FallbackReason::kUnreachable, host + ": cancelled");
      });
}

void RdapSource::OnReply(const std::shared_ptr<Chain>& chain, const std::string& host,
                         const std::string& url, rdap::HttpResult h) {
  bool is_registry = chain->result.chain.empty();
  ChainHop hop{.server = host, .query = url, .fetched_at_ms = clock_()};
  hop.text = std::move(h.body);
  if (h.failure != rdap::HttpFailure::kNone) {
    hop.failure = HopFailure::Http(h.failure);
    return Fail(chain, std::move(hop),
                h.failure == rdap::HttpFailure::kTimeout ? FallbackReason::kTimeout
                                                         : FallbackReason::kUnreachable,
                host + ": " + h.error);
  }
  if (h.status == 429) {
    hop.failure = HopFailure::Of(HopFailureKind::kRefusedByServer);
    return Fail(chain, std::move(hop), FallbackReason::kRefused,
                host + " answered 429 Too Many Requests", h.retry_after_s);
  }
  if (h.status >= 500) {
    hop.failure = HopFailure::HttpStatus(h.status);
    return Fail(chain, std::move(hop), FallbackReason::kUnreachable,
                host + " answered HTTP " + std::to_string(h.status));
  }
  rdap::RdapDomainResult mapped = rdap::MapDomainResponse(hop.text, chain->domain, h.status);
  if (!is_registry) {
    // The registrar's record adds to the registry's; if it has nothing, the registry's stands.
    chain->result.chain.push_back(std::move(hop));
    if (mapped.kind == rdap::RdapKind::kFound) rdap::MergeRegistrarInto(&chain->registry, mapped);
    return Finish(chain);
  }
  if (mapped.kind == rdap::RdapKind::kUnusable) {
    hop.failure = HopFailure::Of(HopFailureKind::kUnusable);
    return Fail(chain, std::move(hop), FallbackReason::kRefused, host + ": " + mapped.error);
  }
  chain->result.chain.push_back(std::move(hop));
  if (mapped.kind == rdap::RdapKind::kNotFound) {
    chain->result.outcome = LookupOutcome::kNotFound;
    return Finish(chain);
  }
  chain->result.outcome = LookupOutcome::kFound;
  chain->registry = std::move(mapped);
  std::string next = chain->registry.registrar_rdap_url;
  if (next.empty() || chain->referral_hops >= options_.max_referral_hops) return Finish(chain);
  if (chain->visited.contains(next)) return Finish(chain);
  ++chain->referral_hops;
  if (progress_) {
    LookupResult so_far = chain->result;
    so_far.record = chain->registry.record;
    progress_(chain->domain, so_far);
  }
  Step(chain, next, false);
}

void RdapSource::Fail(const std::shared_ptr<Chain>& chain, ChainHop hop, FallbackReason reason,
                      std::string detail, std::optional<int64_t> retry_after_s) {
  bool is_registry = chain->result.chain.empty();
  chain->result.chain.push_back(std::move(hop));
  if (is_registry) {
    chain->result.outcome = LookupOutcome::kFailed;
    chain->result.fallback_reason = reason;
    chain->result.retry_after_s = retry_after_s;
  }
  chain->result.detail = std::move(detail);
  Finish(chain);
}

void RdapSource::Finish(const std::shared_ptr<Chain>& chain) {
  if (chain->result.outcome == LookupOutcome::kFound)
    chain->result.record = std::move(chain->registry.record);
  auto done = std::move(chain->done);
  done(std::move(chain->result));
}

}  // namespace whois
