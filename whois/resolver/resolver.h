// Live resolution of one domain over WHOIS (RFC 3912): the TLD's registry server from the
// directory (learned from IANA when missing or old), then the referrals the replies name
// (registry → registrar → ...), each hop one query through the UpstreamGate (the host's limits,
// then the UpstreamClient). Loop thread only.
//
// The resolver runs one chain per Lookup() call and knows nothing of caching, clients or
// deadlines: the server coalesces concurrent GETs for one domain into one call, and gives each
// waiting client its own deadline. Sending nothing but validated names upstream, and refusing
// referral targets that resolve to private addresses, are the resolver's job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "whois/directory/tld_directory.h"
#include "whois/resolver/lookup_result.h"
#include "whois/resolver/rdap_source.h"
#include "whois/resolver/upstream_gate.h"

namespace whois {

// Referral hops that start after the client's deadline, and background directory refreshes,
// may wait this long for their turn at a host.
inline constexpr int64_t kBackgroundBudgetMs = 60 * 1000;

// Which source a lookup asks first (`lookup-order`). Where the TLD has no RDAP server (or no
// WHOIS server), the other source is used whatever the order.
enum class LookupOrder { kRdapFirst, kWhoisFirst, kRdapOnly, kWhoisOnly };

struct ResolverOptions {
  LookupOrder order = LookupOrder::kRdapFirst;
  std::string iana_server = "whois.iana.org";
  // Referral hops followed after the registry's reply (registry → registrar is one hop).
  int max_referral_hops = 3;
  // A directory entry older than this is looked up at IANA again before use.
  int64_t directory_max_age_ms = int64_t{30} * 24 * 3600 * 1000;
  // After a failed IANA lookup for a TLD, IANA is not asked about it again for this long.
  int64_t iana_retry_ms = int64_t{3600} * 1000;
  // Host → "IP[:PORT]" (`upstream-address`): DNS is skipped and the address policy not applied.
  std::map<std::string, std::string> pinned_addresses;
  // `tld-server TLD HOST [FORMAT]` entries are put into the directory by the caller.
  bool allow_private_upstreams = false;
  int connect_timeout_ms = kDefaultConnectTimeoutMs;
  int query_timeout_ms = kDefaultQueryTimeoutMs;
  size_t max_reply_bytes = kDefaultMaxReplyBytes;
};

// How a WHOIS query ended for its host's back-off: the transport's verdict, or kRefused (with
// the wait the text names) when the reply is a rate-limit or access refusal.
limits::Outcome ClassifyForBackOff(const UpstreamResult& result,
                                   std::optional<int64_t>* named_wait_ms);

// The fallback reason for an upstream failure.
FallbackReason FallbackReasonFor(UpstreamFailure failure);

class Resolver {
 public:
  using Clock = std::function<int64_t()>;                     // wall-clock milliseconds
  using SaveEntry = std::function<void(const ServerEntry&)>;  // persists a learned entry

  // `gate` runs the queries on `loop`; both outlive the resolver. Before destroying the
  // resolver, its owner cancels the queued and running queries (UpstreamGate::CancelQueued,
  // UpstreamClient::CancelAll) so that every Lookup callback fires.
  // `rdap` (may be null: WHOIS only) outlives the resolver.
  Resolver(uv_loop_t* loop, UpstreamGate* gate, RdapSource* rdap, TldDirectory directory,
           ResolverOptions options, Clock clock, SaveEntry save);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  using Done = std::function<void(LookupResult)>;
  // Resolves `domain` (a normalised A-label whose last label is `tld`). `deadline_ms` (wall
  // clock) is when the client asking gives up: a hop whose turn at its host cannot come before
  // it ends the lookup at once (fallback rate_limited / daily_limit / queue_full); referral hops
  // started after it run as background work with their own budget. With `priority` kBackground
  // (a refresh or prefetch no client waits for) every hop, and the IANA query for an unknown
  // TLD, waits behind the clients at its host. `done` is called exactly once, from the loop,
  // never from inside Lookup().
  // With two sources, the one `lookup-order` names first is asked; if it fails or has nothing
  // usable (not "not found": that is an answer), the other is, and the record says which
  // answered (source.protocol); WHOIS.RAW shows both sources' replies.
  void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms, Done done,
              limits::Priority priority = limits::Priority::kClient);

  // The upstream host a Lookup of `domain` would ask first: the RDAP server's host or the TLD's
  // WHOIS server, by `lookup-order`; the IANA server while the TLD's server is not known. For
  // grouping background work by the host whose limits it spends.
  std::string FirstHost(const std::string& domain, const std::string& tld) const;

  // What a lookup has found so far, reported once per lookup when the registry has answered with
  // the domain's record and a further hop (the registrar) is about to be asked: `so_far` holds the
  // chain up to then (outcome kFound; for RDAP, the registry's mapped record). A client whose wait
  // runs out before the lookup ends can be given that instead of an empty fallback. Called on the
  // loop from inside the resolver: the handler must not call back into it. Covers the RDAP
  // source too (RdapSource::SetProgressHandler).
  using Progress = std::function<void(const std::string& domain, const LookupResult& so_far)>;
  void SetProgressHandler(Progress handler);

  // Why no directory entry could be had.
  struct EntryError {
    std::string message;
    FallbackReason fallback_reason = FallbackReason::kUnreachable;  // or one of our own limits
    std::optional<int64_t> retry_after_s;
  };
  // Looks the TLD's entry up (learning it from IANA if it is missing or old); for WHOIS.SERVER.
  using EntryDone = std::function<void(std::optional<ServerEntry> entry, EntryError error)>;
  void FindServer(const std::string& tld, int64_t deadline_ms, EntryDone done,
                  limits::Priority priority = limits::Priority::kClient);

  TldDirectory& directory() { return directory_; }
  const ResolverOptions& options() const { return options_; }
  size_t chains_in_flight() const { return chains_in_flight_; }
  uint64_t iana_queries() const { return iana_queries_; }
  uint64_t upstream_queries() const { return upstream_queries_; }

 private:
  struct Chain;
  void LookupWhois(const std::string& domain, const std::string& tld, int64_t deadline_ms,
                   limits::Priority priority, Done done);
  // Runs `first`, and `second` only if `first` failed; the second's result keeps the first's
  // hops in front of its own.
  void Then(std::function<void(Done)> first, std::function<void(Done)> second, Done done);
  void Step(std::shared_ptr<Chain> chain, std::string host, uint16_t port, std::string format,
            std::string charset);
  void OnReply(const std::shared_ptr<Chain>& chain, const std::string& server,
               const std::string& line, GateResult g);
  void EndWithFailure(const std::shared_ptr<Chain>& chain, ChainHop hop, FallbackReason reason,
                      std::string detail);
  void Finish(const std::shared_ptr<Chain>& chain);
  void AskIana(const std::string& tld, limits::Priority priority, int64_t deadline_ms);
  void FinishIana(const std::string& tld, std::optional<ServerEntry> entry, EntryError error);
  // Runs `fn` on a later loop iteration (callbacks are never called from inside a call).
  void Defer(std::function<void()> fn);
  UpstreamTarget TargetFor(const std::string& host, uint16_t port) const;
  UpstreamOptions QueryOptions(const std::string& charset) const;

  uv_loop_t* loop_;
  UpstreamGate* gate_;
  RdapSource* rdap_;
  TldDirectory directory_;
  ResolverOptions options_;
  Clock clock_;
  SaveEntry save_;
  // TLDs being learned from IANA, with what waits for them: one IANA query per TLD at a time.
  std::unordered_map<std::string, std::vector<EntryDone>> iana_waiters_;
  std::unordered_map<std::string, int64_t> iana_failed_at_;
  size_t chains_in_flight_ = 0;
  uint64_t iana_queries_ = 0;
  uint64_t upstream_queries_ = 0;
  Progress progress_;
  // Lets callbacks that outlive the resolver notice it is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois
