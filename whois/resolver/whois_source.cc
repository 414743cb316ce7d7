#include "whois/resolver/whois_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

#include "whois/directory/referral.h"
#include "whois/hosts/host_profile.h"
#include "whois/parser/reply_classifier.h"
#include "whois/resolver/run_soon.h"

namespace whois {

namespace {

// ClassifyForBackOff, also telling the reply's kind (when one arrived) through *kind.
limits::Outcome BackOffOutcome(const UpstreamResult& r, std::optional<int64_t>* named_wait_ms,
                               std::optional<ReplyKind>* kind) {
  if (r.failure != UpstreamFailure::kNone) return TransportOutcome(r);
  *kind = ClassifyReply(r.text);
  if (*kind != ReplyKind::kRefused) return limits::Outcome::kOk;
  if (std::optional<int64_t> s = RetryAfterSeconds(r.text)) *named_wait_ms = *s * 1000;
  return limits::Outcome::kRefused;
}

}  // namespace

limits::Outcome ClassifyForBackOff(const UpstreamResult& r, std::optional<int64_t>* named_wait_ms) {
  std::optional<ReplyKind> kind;
  return BackOffOutcome(r, named_wait_ms, &kind);
}

FallbackReason FallbackReasonFor(UpstreamFailure failure) {
  switch (failure) {
    case UpstreamFailure::kTimedOut:
      return FallbackReason::kTimeout;
    // A server that refuses the connection, resets it or closes without a word is, in practice,
    // a server limiting us: retrying soon is right, as for a textual refusal.
    case UpstreamFailure::kRefused:
    case UpstreamFailure::kReset:
    case UpstreamFailure::kEmptyReply:
      return FallbackReason::kRefused;
    case UpstreamFailure::kNone:
    case UpstreamFailure::kUnreachable:
    case UpstreamFailure::kForbiddenAddress:
    case UpstreamFailure::kInvalidQuery:
    case UpstreamFailure::kCancelled:
      break;
  }
  return FallbackReason::kUnreachable;
}

struct WhoisSource::Chain : LookupChain {
  using LookupChain::LookupChain;
  // Hosts already asked, whatever the port: a server that names itself (registrars repeat their
  // own "Registrar WHOIS Server:") or a referral loop ends the chain.
  std::set<std::string> visited;
  int referral_hops = 0;
  // The kind of the reply to the query in flight, as the gate's back-off classified it, so that
  // OnReply does not scan the same text again. Unset if the gate did not classify it.
  std::optional<ReplyKind> reply_kind;
};

namespace {

std::string ServerName(const std::string& host, uint16_t port) {
  return port == 43 ? host : host + ":" + std::to_string(port);
}

}  // namespace

WhoisSource::WhoisSource(uv_loop_t* loop, UpstreamGate* gate, TldDirectory directory,
                         WhoisSourceOptions options, Clock clock, SaveEntry save)
    : loop_(loop),
      gate_(gate),
      directory_(std::move(directory)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      save_(std::move(save)) {}

WhoisSource::~WhoisSource() { *alive_ = false; }

void WhoisSource::Defer(std::function<void()> fn) { RunSoon(loop_, std::move(fn)); }

UpstreamTarget WhoisSource::TargetFor(const std::string& host, uint16_t port) const {
  UpstreamTarget target;
  target.host = host;
  target.port = port;
  if (auto it = options_.access.pinned_addresses.find(host);
      it != options_.access.pinned_addresses.end())
    target.pinned_address = it->second;
  return target;
}

UpstreamOptions WhoisSource::QueryOptions(const std::string& charset) const {
  UpstreamOptions o;
  o.connect_timeout_ms = options_.access.connect_timeout_ms;
  o.query_timeout_ms = options_.access.timeout_ms;
  o.max_reply_bytes = options_.access.max_reply_bytes;
  o.charset = charset;
  o.allow_private = options_.access.allow_private;
  return o;
}

void WhoisSource::FindServer(const std::string& tld, int64_t deadline_ms, EntryDone done,
                             limits::Priority priority) {
  int64_t now = clock_();
  const ServerEntry* entry = directory_.Find(tld);
  bool refresh = directory_.NeedsRefresh(tld, now, options_.directory_max_age_ms);
  // IANA is asked about a TLD at most once at a time, and after a failure not again until
  // iana_retry_ms has passed: however many domains wait, IANA sees one query per TLD.
  auto failed = iana_failed_at_.find(tld);
  bool may_ask = failed == iana_failed_at_.end() || now - failed->second >= options_.iana_retry_ms;
  if (entry) {
    // A known entry serves at once; an old one is refreshed in the background, and the next
    // lookup uses what IANA says.
    if (refresh && may_ask && !iana_waiters_.contains(tld)) {
      iana_waiters_[tld];
      AskIana(tld, limits::Priority::kBackground, now + kBackgroundBudgetMs);
    }
    Defer([done = std::move(done), e = *entry] { done(e, EntryError{}); });
    return;
  }
  if (!may_ask) {
    Defer([done = std::move(done), tld] {
      done(std::nullopt, {"no WHOIS server known for ." + tld +
                          " (the last IANA lookup failed; retrying later)"});
    });
    return;
  }
  auto& waiters = iana_waiters_[tld];
  waiters.push_back(std::move(done));
  if (waiters.size() == 1) AskIana(tld, priority, deadline_ms);
}

void WhoisSource::AskIana(const std::string& tld, limits::Priority priority, int64_t deadline_ms) {
  ++iana_queries_;
  GateRequest request;
  request.target = TargetFor(options_.iana_server, 43);
  request.query = tld;
  request.options = QueryOptions("utf-8");
  request.priority = priority;
  request.deadline_ms = deadline_ms;
  request.classify = ClassifyForBackOff;
  gate_->Query(std::move(request), [this, tld, alive = alive_](GateResult g) {
    if (!*alive) return;
    std::string iana = "IANA (" + options_.iana_server + ")";
    if (g.limited) {
      // Our own limits for IANA said "not now": nothing was asked, so nothing failed.
      return FinishIana(tld, std::nullopt, {iana + ": " + g.message, *g.limited, g.retry_after_s});
    }
    if (g.upstream.failure != UpstreamFailure::kNone) {
      iana_failed_at_[tld] = clock_();
      return FinishIana(tld, std::nullopt, {iana + ": " + g.upstream.error});
    }
    util::StatusOr<IanaTldAnswer> answer = ParseIanaTldAnswer(tld, g.upstream.text);
    if (!answer.ok()) {
      iana_failed_at_[tld] = clock_();
      return FinishIana(tld, std::nullopt, {iana + " has no entry for ." + tld});
    }
    ServerEntry e;
    e.tld = tld;
    e.host = answer->host;
    e.origin = ServerEntry::Origin::kIana;
    e.learned_at_ms = clock_();
    FinishIana(tld, std::move(e), {});
  });
}

void WhoisSource::FinishIana(const std::string& tld, std::optional<ServerEntry> entry,
                             EntryError error) {
  if (entry) {
    // Set() keeps an operator's override; what the directory holds now is what counts.
    (void)directory_.Set(*entry);
    if (const ServerEntry* now = directory_.Find(tld)) entry = *now;
    if (save_) save_(*entry);
    iana_failed_at_.erase(tld);
    spdlog::info("directory: .{} is served by {}", tld,
                 entry->host.empty() ? "no port-43 server" : entry->host);
  } else {
    spdlog::warn("directory: {}", error.message);
    // An old entry is better than none while IANA cannot be reached.
    if (const ServerEntry* old = directory_.Find(tld)) entry = *old;
  }
  auto it = iana_waiters_.find(tld);
  if (it == iana_waiters_.end()) return;
  std::vector<EntryDone> waiters = std::move(it->second);
  iana_waiters_.erase(it);
  for (auto& w : waiters) w(entry, error);
}

std::string_view WhoisSource::protocol() const { return kProtocolWhois; }

bool WhoisSource::Serves(std::string_view, std::string_view) const { return true; }

std::string WhoisSource::FirstHost(std::string_view, std::string_view tld) const {
  const ServerEntry* entry = directory_.Find(tld);
  return entry == nullptr ? options_.iana_server : entry->host;
}

void WhoisSource::Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
                         limits::Priority priority, Done done) {
  auto chain = std::make_shared<Chain>(domain, deadline_ms, priority, std::move(done));
  ++chains_in_flight_;
  FindServer(
      tld, deadline_ms,
      [this, chain, tld, alive = alive_](std::optional<ServerEntry> entry, EntryError error) {
        if (!*alive) return;
        if (!entry || entry->host.empty()) {
          chain->result.outcome = LookupOutcome::kFailed;
          if (entry) {
            chain->result.fallback_reason = FallbackReason::kNoServer;
            chain->result.detail = "." + tld + " has no port-43 WHOIS server";
          } else {
            chain->result.fallback_reason = error.fallback_reason;
            chain->result.retry_after_s = error.retry_after_s;
            chain->result.detail = std::move(error.message);
          }
          return Finish(chain);
        }
        const HostProfile& profile = HostProfileFor(entry->host);
        std::string format =
            entry->query_format.empty() ? std::string(profile.query_format) : entry->query_format;
        Step(chain, entry->host, entry->port, std::move(format), std::string(profile.charset));
      },
      priority);
}

void WhoisSource::Step(std::shared_ptr<Chain> chain, std::string host, uint16_t port,
                       std::string format, std::string charset) {
  std::string server = ServerName(host, port);
  chain->visited.insert(host);
  auto query = FormatQuery(format, chain->domain);
  if (!query.ok()) {
    ChainHop hop;
    hop.server = server;
    hop.failure = HopFailure::Of(HopFailureKind::kInvalidQuery);
    chain->result.chain.push_back(std::move(hop));
    if (chain->result.chain.size() == 1) {
      chain->result.fallback_reason = FallbackReason::kUnreachable;
      chain->result.detail = "query format for " + server + ": " + query.status().message();
    }
    return Defer([this, chain, alive = alive_] {
      if (*alive) Finish(chain);
    });
  }
  std::string line = std::move(query).value();
  ++upstream_queries_;
  GateRequest request;
  request.target = TargetFor(host, port);
  request.query = line;
  request.options = QueryOptions(charset);
  // While the client waits, its deadline bounds the hop's turn; a hop that starts after it is
  // background work filling the cache.
  int64_t now = clock_();
  request.priority = !chain->background && now < chain->deadline_ms ? limits::Priority::kClient
                                                                    : limits::Priority::kBackground;
  request.deadline_ms =
      std::max(chain->deadline_ms, chain->result.chain.empty() ? 0 : now + kBackgroundBudgetMs);
  chain->reply_kind.reset();
  request.classify = [chain](const UpstreamResult& r, std::optional<int64_t>* named_wait_ms) {
    return BackOffOutcome(r, named_wait_ms, &chain->reply_kind);
  };
  gate_->Query(std::move(request), [this, chain, server, line, alive = alive_](GateResult g) {
    if (*alive) OnReply(chain, server, line, std::move(g));
  });
}

// A hop that yields no data fails the lookup if it was the registry's; after the registry, it
// only ends the chain, and the record keeps what the earlier hops returned.
void WhoisSource::EndWithFailure(const std::shared_ptr<Chain>& chain, ChainHop hop,
                                 FallbackReason reason, std::string detail) {
  bool is_registry = chain->result.chain.empty();
  chain->result.chain.push_back(std::move(hop));
  if (is_registry) {
    chain->result.outcome = LookupOutcome::kFailed;
    chain->result.fallback_reason = reason;
  }
  chain->result.detail = std::move(detail);
  Finish(chain);
}

void WhoisSource::OnReply(const std::shared_ptr<Chain>& chain, const std::string& server,
                          const std::string& line, GateResult g) {
  bool is_registry = chain->result.chain.empty();
  ChainHop hop{.server = server, .query = line, .fetched_at_ms = clock_()};
  if (g.limited) {
    // Our limits for this host kept the query from starting: nothing was sent.
    hop.failure = HopFailure::Limited(*g.limited);
    if (is_registry) chain->result.retry_after_s = g.retry_after_s;
    return EndWithFailure(chain, std::move(hop), *g.limited, server + ": " + g.message);
  }
  UpstreamResult& r = g.upstream;
  hop.text = std::move(r.text);
  if (r.failure != UpstreamFailure::kNone) {
    hop.failure = HopFailure::Upstream(r.failure);
    return EndWithFailure(chain, std::move(hop), FallbackReasonFor(r.failure),
                          server + ": " + r.error);
  }
  ReplyKind kind = chain->reply_kind ? *chain->reply_kind : ClassifyReply(hop.text);
  chain->reply_kind.reset();
  hop.kind = kind;
  if (kind == ReplyKind::kRefused) {
    // The host is limiting us: the gate has put it in cool-down (see ClassifyForBackOff).
    std::optional<int64_t> wait_s = RetryAfterSeconds(hop.text);
    if (is_registry) chain->result.retry_after_s = wait_s;
    hop.failure = HopFailure::Of(HopFailureKind::kRefusedByServer);
    return EndWithFailure(chain, std::move(hop), FallbackReason::kRefused,
                          server + " refused the query (rate limit or access control)");
  }
  // A registry reply with nothing usable in it (empty, a bare disclaimer, garbage) says nothing
  // about the domain: like a refusal it is retried soon, never cached as "registered".
  if (kind == ReplyKind::kEmpty && is_registry) {
    hop.failure = HopFailure::Of(HopFailureKind::kUnrecognisedReply);
    return EndWithFailure(chain, std::move(hop), FallbackReason::kRefused,
                          server + " sent a reply with no recognisable data");
  }
  // A rejected referral is followed no further, like none at all.
  std::optional<Referral> next = kind == ReplyKind::kNotFound
                                     ? std::nullopt
                                     : ExtractReferral(hop.text).value_or(std::nullopt);
  if (next && !next->rwhois) {
    util::Status port =
        CheckReferralPort(*next, options_.access.pinned_addresses.contains(next->host));
    if (!port.ok()) {
      spdlog::info("lookup of {}: {}", chain->domain, port.message());
      next.reset();
    }
  }
  chain->result.chain.push_back(std::move(hop));
  if (is_registry) {
    chain->result.outcome =
        kind == ReplyKind::kNotFound ? LookupOutcome::kNotFound : LookupOutcome::kFound;
  }
  // RWhois (RFC 2167) is another protocol: such a referral ends the chain, as do the hop cap and
  // a host already asked.
  if (!next || next->rwhois || chain->referral_hops >= options_.max_referral_hops ||
      chain->visited.contains(next->host))
    return Finish(chain);
  ++chain->referral_hops;
  if (is_registry && progress_ && chain->result.outcome == LookupOutcome::kFound) {
    progress_(chain->domain, chain->result);
  }
  const HostProfile& profile = HostProfileFor(next->host);
  Step(chain, next->host, next->port, std::string(profile.query_format),
       std::string(profile.charset));
}

void WhoisSource::Finish(const std::shared_ptr<Chain>& chain) {
  --chains_in_flight_;
  Done done = std::move(chain->done);
  done(std::move(chain->result));
}

}  // namespace whois
