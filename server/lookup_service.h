// Live resolution's machinery, owned together: the upstream client, every upstream host's limits
// (LimitRegistry) and the gate that enforces them, and the resolver. Open() restores what the
// store remembers (TLD directory entries under t:, daily quota reservations under q:, and when
// the previous process was last alive) before the server listens. Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/config.h"
#include "storage/record_store.h"
#include "util/uv_timer.h"
#include "whois/limits/limit_registry.h"
#include "whois/rdap/http_client.h"
#include "whois/resolver/rdap_source.h"
#include "whois/resolver/resolver.h"
#include "whois/resolver/upstream_gate.h"
#include "whois/upstream/upstream_client.h"

namespace server {

class LiveResolution {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds

  // `store` outlives this object.
  LiveResolution(uv_loop_t* loop, storage::RecordStore* store, Clock clock);
  ~LiveResolution();
  LiveResolution(const LiveResolution&) = delete;
  LiveResolution& operator=(const LiveResolution&) = delete;

  // Returns an empty string or a message for the user. Runs the loop until the store has been
  // read (call before listening).
  std::string Open(const Config& config);

  // Answers every queued upstream request and cancels every running query (shutdown): each
  // pending Lookup callback fires.
  void CancelAll();

  whois::Resolver& resolver() { return *resolver_; }
  whois::limits::LimitRegistry& limits() { return *limits_; }
  whois::UpstreamGate& gate() { return *gate_; }

  void AppendInfo(std::string* out) const;

  // Key under which the time this process was last known alive is stored: after a crash, the
  // next process assumes every host's windows were full up to then (plus one heartbeat).
  static constexpr std::string_view kAliveKey = "q:~alive";
  static constexpr int64_t kHeartbeatMs = 1000;
  static constexpr size_t kMaxQueuePerHost = 4096;

 private:
  std::vector<std::pair<std::string, std::string>> ReadMeta(const std::string& prefix,
                                                            std::string* error);
  std::string LoadDirectory(const Config& config, whois::TldDirectory* directory);
  std::string LoadLimits(const Config& config);
  void Heartbeat();
  // Fetches the RDAP bootstrap registry from `rdap-bootstrap-url` (through the gate, like any
  // upstream), keeps the operator's overrides, stores it under kBootstrapKey and uses it.
  void RefreshBootstrap();
  static constexpr std::string_view kBootstrapKey = "b:rdap-dns";

  uv_loop_t* loop_;
  storage::RecordStore* store_;
  Clock clock_;
  std::unique_ptr<whois::UpstreamClient> client_;
  std::unique_ptr<whois::limits::LimitRegistry> limits_;
  std::unique_ptr<whois::UpstreamGate> gate_;
  std::unique_ptr<whois::rdap::HttpClient> http_;
  std::unique_ptr<whois::RdapSource> rdap_;
  std::unique_ptr<whois::Resolver> resolver_;
  util::UvTimer heartbeat_;
  util::UvTimer bootstrap_timer_;
  std::string bootstrap_url_;
};

}  // namespace server
