// WHOIS (RFC 3912) as a lookup source: the TLD's registry server from the directory (learned
// from IANA when missing or old), then the referrals the replies name (registry → registrar →
// ...), each hop one query through the UpstreamGate (the host's limits, then its transport).
// Loop thread only.
//
// The source runs one chain per Lookup() call and knows nothing of caching or clients: the
// server coalesces concurrent GETs for one domain into one lookup, and gives each waiting client
// its own deadline. Sending nothing but validated names upstream, and refusing referral targets
// it may not follow (referral.h), are this source's job; the transport applies the address
// policy.
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
#include "whois/resolver/lookup_source.h"
#include "whois/resolver/upstream_access.h"
#include "whois/resolver/upstream_gate.h"
#include "whois/upstream/upstream_result.h"

namespace whois {

// Referral hops that start after the client's deadline, and background directory refreshes,
// may wait this long for their turn at a host.
inline constexpr int64_t kBackgroundBudgetMs = 60 * 1000;

struct WhoisSourceOptions {
  std::string iana_server = "whois.iana.org";
  // Referral hops followed after the registry's reply (registry → registrar is one hop).
  int max_referral_hops = 3;
  // A directory entry older than this is looked up at IANA again before use.
  int64_t directory_max_age_ms = int64_t{30} * 24 * 3600 * 1000;
  // After a failed IANA lookup for a TLD, IANA is not asked about it again for this long.
  int64_t iana_retry_ms = int64_t{3600} * 1000;
  // `tld-server TLD HOST [FORMAT]` entries are put into the directory by the caller.
  UpstreamAccess access;
};

// How a WHOIS query ended for its host's back-off: the transport's verdict, or kRefused (with
// the wait the text names) when the reply is a rate-limit or access refusal.
limits::Outcome ClassifyForBackOff(const UpstreamResult& result,
                                   std::optional<int64_t>* named_wait_ms);

// The fallback reason for an upstream failure.
FallbackReason FallbackReasonFor(UpstreamFailure failure);

class WhoisSource : public LookupSource {
 public:
  using Clock = std::function<int64_t()>;                     // wall-clock milliseconds
  using SaveEntry = std::function<void(const ServerEntry&)>;  // persists a learned entry

  // `gate` runs the queries on `loop`; both outlive the source. Before destroying the source,
  // its owner cancels the queued and running queries (UpstreamGate::CancelQueued, then the
  // transport's) so that every Lookup callback fires.
  WhoisSource(uv_loop_t* loop, UpstreamGate* gate, TldDirectory directory,
              WhoisSourceOptions options, Clock clock, SaveEntry save);
  ~WhoisSource() override;
  WhoisSource(const WhoisSource&) = delete;
  WhoisSource& operator=(const WhoisSource&) = delete;

  std::string_view protocol() const override;
  // Every domain: a TLD missing from the directory is learned from IANA.
  bool Serves(std::string_view domain, std::string_view tld) const override;
  // The TLD's WHOIS server (empty if it has no port-43 server), or the IANA server while the
  // TLD's server is not known.
  std::string FirstHost(std::string_view domain, std::string_view tld) const override;
  // See LookupSource::Lookup. With kBackground, the IANA query for an unknown TLD waits behind
  // the clients at IANA too.
  void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
              limits::Priority priority, Done done) override;
  void SetProgressHandler(Progress handler) override { progress_ = std::move(handler); }

  // Why no directory entry could be had.
  struct EntryError {
    std::string message;
    FallbackReason fallback_reason = FallbackReason::kUnreachable;  // or one of our own limits
    std::optional<int64_t> retry_after_s;
  };
  // Looks the TLD's entry up (learning it from IANA if it is missing or old); for WHOIS.SERVER.
  // `done` is called exactly once, never from inside FindServer().
  using EntryDone = std::function<void(std::optional<ServerEntry> entry, EntryError error)>;
  void FindServer(const std::string& tld, int64_t deadline_ms, EntryDone done,
                  limits::Priority priority = limits::Priority::kClient);

  TldDirectory& directory() { return directory_; }
  const TldDirectory& directory() const { return directory_; }
  const WhoisSourceOptions& options() const { return options_; }
  size_t chains_in_flight() const { return chains_in_flight_; }
  uint64_t iana_queries() const { return iana_queries_; }
  uint64_t upstream_queries() const { return upstream_queries_; }

 private:
  struct Chain;
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
  TldDirectory directory_;
  WhoisSourceOptions options_;
  Clock clock_;
  SaveEntry save_;
  // TLDs being learned from IANA, with what waits for them: one IANA query per TLD at a time.
  std::unordered_map<std::string, std::vector<EntryDone>> iana_waiters_;
  std::unordered_map<std::string, int64_t> iana_failed_at_;
  size_t chains_in_flight_ = 0;
  uint64_t iana_queries_ = 0;
  uint64_t upstream_queries_ = 0;
  Progress progress_;
  // Lets callbacks that outlive the source notice it is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois
