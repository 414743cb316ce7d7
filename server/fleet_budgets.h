// FleetBudgets: the `scope all` budgets of a fleet of proxies, held in the fleet's Redis (issue
// 17). The upstream gate asks it for a grant before each start of a host whose limit has
// `scope all` (after the host's own limits admitted it, so this proxy never exceeds the limit
// alone either); budgets with `scope address` or `scope network` never reach it. Loop thread
// only; nothing here blocks the loop.
//
// Per host, requests wait in FIFO order and only the head asks Redis (storage/fleet/
// budget_script.h: one atomic script per grant, EVALSHA): granted, it starts; refused, it asks
// again when the script says the window opens (or polls every kPollMs when a slot or an unsent
// start holds it), or is answered rate_limited / daily_limit at once when that is past its
// deadline.
//
// When Redis is slow or gone (a grant call failed or timed out) every host runs on its local
// share (limits/fleet_share.h: the limit divided by the proxies seen alive at the last
// heartbeat, at least 1 per window), whose windows start full at that moment (the fleet's may
// be full of grants this proxy cannot see, as after a crash); logged once.
//
// The conservative restart. When a heartbeat is answered again, each host that started
// anything on its local share first has every window of its fleet budget filled to its count
// with starts made at that moment, and its local starts added to the day's count
// (kCarryScript); only when every such carry is stored do grants come from Redis again (logged
// once). So the fleet makes no start at that host until the window's members leave (one whole
// window when it held nothing else, as after an outage longer than the window: a share starts
// nothing sooner), and by then every start that proxy made on its local share has left every
// window. A return waits until every local start's query has been written (one written after
// the fill would not be counted), and nothing starts while the fill is on its way. What this cannot cover (an
// overshoot of up to one share per window): a proxy that learns of the return later than another
// (up to a heartbeat period and its reconnect back-off) spends its share meanwhile beside the
// fleet's grants, as does a proxy that lost Redis while the others still reach it.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "storage/fleet/budget_script.h"
#include "storage/fleet/fleet_client.h"
#include "storage/fleet/fleet_script.h"
#include "util/uv_timer.h"
#include "whois/limits/budget.h"
#include "whois/limits/fleet_share.h"
#include "whois/resolver/fleet_admission.h"

namespace server {

class FleetBudgets : public whois::FleetAdmission {
 public:
  struct Options {
    std::string prefix = "wp";
    std::string node_name;        // with the start time, names this proxy's grants
    int64_t slot_ttl_ms = 30000;  // a concurrency slot's expiry: longer than any query
    int64_t unsent_hold_ms = 30000;
  };
  // Between two grant attempts of a host whose head cannot tell when it may start.
  static constexpr int64_t kPollMs = 20;
  // The longest wait before asking again, so a change (a restart, a lowered limit) is seen.
  static constexpr int64_t kMaxWaitMs = 1000;

  enum class Mode { kFleet, kLocalShare, kRestarting };
  struct Stats {
    uint64_t grants = 0;          // from Redis
    uint64_t refusals = 0;        // requests answered rate_limited / daily_limit
    uint64_t redis_failures = 0;  // grant or carry calls that failed (timeouts included)
    uint64_t local_share_periods = 0;
    uint64_t local_starts = 0;    // granted on the local share
    uint64_t carried = 0;         // local starts reported to the fleet's day counts
    uint64_t windows_filled = 0;  // budgets whose windows a restart filled
  };
  using Clock = std::function<int64_t()>;  // wall-clock ms (deadlines)

  // `client` outlives this object.
  FleetBudgets(uv_loop_t* loop, storage::fleet::FleetClient* client, Options options, Clock clock);
  ~FleetBudgets() override;
  FleetBudgets(const FleetBudgets&) = delete;
  FleetBudgets& operator=(const FleetBudgets&) = delete;

  bool Holds(const whois::limits::LimitSpec& spec) const override;
  void Acquire(const std::string& host, const whois::limits::LimitSpec& spec, int64_t deadline_ms,
               std::function<void(Grant)> granted, Refused refused) override;
  void CancelAll() override;

  // A heartbeat ended: `ok` if Redis answered it, with the live proxies then. Sets the
  // proxies the local share divides by; an answer ends a local-share period.
  void OnHeartbeat(bool ok, size_t proxies);

  Mode mode() const { return mode_; }
  const Stats& stats() const { return stats_; }
  int64_t proxies() const { return proxies_; }
  // INFO lines ("name:value\r\n").
  void AppendInfo(std::string* out) const;

 private:
  struct Waiter {
    int64_t deadline_ms;
    std::function<void(Grant)> granted;
    Refused refused;
  };
  struct Host {
    std::string name;
    whois::limits::LimitSpec spec;
    storage::fleet::FleetLimits limits;
    storage::fleet::BudgetKeys keys;
    std::deque<Waiter> queue;
    bool asking = false;                           // a grant call in flight
    std::unique_ptr<util::UvTimer> timer;          // serves the queue's head
    std::unique_ptr<whois::limits::Budget> share;  // kLocalShare / kRestarting
    int64_t share_full_at = 0;    // when Redis was last lost (ms), for a share built later
    int64_t daily_used_seen = 0;  // the fleet's count at the last grant call
    int64_t daily_share_left = 0;
    whois::limits::ShareLedger ledger;
    int64_t local_unsent = 0;  // local-share starts whose query is not written yet
  };

  Host& HostFor(const std::string& host, const whois::limits::LimitSpec& spec);
  void Serve(Host& h);
  void AskRedis(Host& h);
  void ServeLocal(Host& h, int64_t now);
  void Wait(Host& h, int64_t delay_ms);
  void Refuse(Host& h, whois::limits::RejectReason reason, int64_t retry_ms, std::string why);
  Grant RedisGrant(Host& h, const std::string& token);
  Grant LocalGrant(Host& h);
  void RedisFailed(const std::string& why);
  void Carry();
  std::string NextToken();

  uv_loop_t* loop_;
  Options options_;
  Clock clock_;
  storage::fleet::FleetScript acquire_, finish_, carry_;
  std::map<std::string, std::unique_ptr<Host>, std::less<>> hosts_;
  Mode mode_ = Mode::kFleet;
  int64_t proxies_ = 1;
  int carries_pending_ = 0;
  bool carry_failed_ = false;
  std::string token_prefix_;
  uint64_t next_token_ = 0;
  Stats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace server
