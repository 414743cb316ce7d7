// LookupService: live resolution as one facade for server/. It owns whois/'s object graph (the
// transports, every upstream host's limits and the gate that enforces them, the WHOIS and RDAP
// sources in `lookup-order`, the resolver, the RDAP bootstrap refresh) and what it keeps in the
// store (LookupStateStore): Open() restores the learned TLD directory entries (t:), the daily
// quota reservations (q:), when the previous process was last alive (q:~alive) and the fetched
// RDAP bootstrap registry (b:rdap-dns) before the server listens; afterwards the service writes
// them as they change. server/ sees lookups, directory entries and limits, never the graph.
// Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/lookup_options.h"
#include "server/lookup_state_store.h"
#include "util/status.h"
#include "util/uv_timer.h"
#include "whois/limits/limit_registry.h"
#include "whois/rdap/http_client.h"
#include "whois/resolver/bootstrap_refresh.h"
#include "whois/resolver/fleet_admission.h"
#include "whois/resolver/rdap_source.h"
#include "whois/resolver/resolver.h"
#include "whois/resolver/upstream_gate.h"
#include "whois/resolver/whois_source.h"
#include "whois/upstream/upstream_client.h"

namespace server {

class LookupService {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds

  // `store` outlives this object.
  LookupService(uv_loop_t* loop, LookupStateStore* store, Clock clock);
  ~LookupService();
  LookupService(const LookupService&) = delete;
  LookupService& operator=(const LookupService&) = delete;

  // An error's message is for the operator (InvalidArgument: the options; IOError: the store).
  // Runs the loop until the store has been read (call before listening).
  util::Status Open(const LookupServiceOptions& options);

  // Answers every queued upstream request and cancels every running query (shutdown): each
  // pending Lookup callback fires.
  void CancelAll();

  // whois::Resolver::Lookup: the sources `lookup-order` names, in order. `done` is called
  // exactly once, never from inside Lookup().
  void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
              whois::Resolver::Done done,
              whois::limits::Priority priority = whois::limits::Priority::kClient);
  // whois::Resolver::FirstHost: the host a lookup of `domain` asks first.
  std::string FirstHost(const std::string& domain, const std::string& tld) const;
  // whois::Resolver::SetProgressHandler: the registry's answer while the registrar is asked.
  void SetProgressHandler(whois::LookupSource::Progress handler);
  // The TLD's WHOIS directory entry, learned from IANA if needed (WHOIS.SERVER). `done` is
  // called exactly once, never from inside FindServer().
  void FindServer(const std::string& tld, int64_t deadline_ms, whois::WhoisSource::EntryDone done);

  // Every upstream host's limits and figures (WHOIS.LIMITS, /metrics). After changing a limit,
  // call ApplyLimits.
  whois::limits::LimitRegistry& limits() { return *limits_; }
  const whois::limits::LimitRegistry& limits() const { return *limits_; }
  // Re-evaluates the queued requests and timers under the limits as they are now.
  void ApplyLimits();
  // With a fleet: starts at hosts whose budgets `fleet` holds wait for its grant too (see
  // UpstreamGate::SetFleet). Null: none. `fleet` outlives the service or is unset first.
  void SetFleet(whois::FleetAdmission* fleet);

  void AppendInfo(std::string* out) const;

  // Key under which the time this process was last known alive is stored: after a crash, the
  // next process assumes every host's windows were full up to then (plus one heartbeat).
  static constexpr std::string_view kAliveKey = "q:~alive";
  static constexpr int64_t kHeartbeatMs = 1000;
  static constexpr size_t kMaxQueuePerHost = 4096;
  static constexpr std::string_view kBootstrapKey = "b:rdap-dns";

 private:
  // Every meta key under `prefix`, read before the server listens (runs the loop).
  util::StatusOr<LookupStateStore::Entries> ReadMeta(const std::string& prefix);
  util::Status LoadDirectory(const LookupServiceOptions& options, whois::TldDirectory* directory);
  util::Status LoadLimits(const LookupServiceOptions& options);
  // The bundled RDAP bootstrap registry, or the stored one if it is newer, with the
  // `rdap-server` overrides applied.
  util::Status LoadBootstrap(const LookupServiceOptions& options, whois::rdap::RdapBootstrap* out);
  void Heartbeat();

  uv_loop_t* loop_;
  LookupStateStore* store_;
  Clock clock_;
  std::unique_ptr<whois::UpstreamClient> client_;
  std::unique_ptr<whois::limits::LimitRegistry> limits_;
  std::unique_ptr<whois::UpstreamGate> gate_;
  std::unique_ptr<whois::rdap::HttpClient> http_;
  std::unique_ptr<whois::WhoisSource> whois_;
  std::unique_ptr<whois::RdapSource> rdap_;
  std::unique_ptr<whois::Resolver> resolver_;
  std::unique_ptr<whois::BootstrapRefresh> bootstrap_refresh_;
  util::UvTimer heartbeat_;
};

}  // namespace server
