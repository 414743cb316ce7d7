// SingleFlight: one domain resolved once fleet-wide. Before a proxy goes upstream for a domain
// it Claims it: the shared record when there is one it can use, else a lease (lease.h) that
// makes it the one proxy resolving the domain, else (another proxy holds the lease) it waits,
// polling the record key with back-off and trying the lease again on each poll, so a lease
// whose holder died (and which expired) is taken over. Loop thread only; nothing blocks.
//
// When Redis is slow or gone (a command fails or times out) a claim does not wait: it ends at
// once with no lease, and the caller resolves locally as it would without a fleet.
//
// The lease scripts (lease.h) run through FleetScript: EVALSHA, and EVAL when a node answers
// NOSCRIPT.
//
// Call sequence for the caller: Claim; when `done` brings a record, answer with it; else
// resolve, store, SharedRecords::Publish, then Release the lease if the outcome has one (after
// Publish, on the same connection: a waiter that finds the lease gone finds the record).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "storage/fleet/fleet_client.h"
#include "storage/fleet/fleet_script.h"
#include "storage/fleet/lease.h"
#include "storage/fleet/shared_records.h"
#include "storage/record.h"

namespace storage::fleet {

class SingleFlight {
 public:
  struct Options {
    std::string prefix = "wp";
    std::string node_name;  // first part of every lease token
    LeasePolicy policy;
  };
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds (deadlines' clock)
  // Whether a shared record answers the lookup (a refresh needs a newer one than it has).
  using Usable = std::function<bool(const Record&)>;

  struct Outcome {
    bool has_record = false;
    Record record;      // has_record: a usable shared record
    std::string lease;  // !has_record: the lease this proxy took, or empty (resolve without one)
    // !has_record: the deadline to resolve by: the claim's, or, when waiting took it past that,
    // as long again from now (a lookup that took over must not fail at once for want of time;
    // its clients have had their answers at their own deadlines).
    int64_t deadline_ms = 0;
  };

  struct Stats {
    uint64_t taken = 0;       // leases taken at the first try
    uint64_t waited = 0;      // claims that found another proxy's lease and waited
    uint64_t taken_over = 0;  // leases taken after waiting (released without a record, or expired)
    uint64_t lost = 0;        // releases that found the lease no longer this proxy's
    uint64_t released = 0;
    uint64_t errors = 0;   // lease commands failed: resolved without a lease
    uint64_t gave_up = 0;  // waited LeasePolicy::max_ms: resolved without a lease
  };

  // `client` and `records` outlive this object. Callbacks of commands still pending when it is
  // destroyed (the client fails them when it closes) do nothing.
  SingleFlight(uv_loop_t* loop, FleetClient* client, SharedRecords* records, Options options,
               Clock clock);
  ~SingleFlight();  // Cancel()s
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  // Claims `domain` for a lookup whose deadline is `deadline_ms` (wall clock; bounds the
  // lease, see Outcome::deadline_ms). `done` runs once, later, on the loop.
  void Claim(const std::string& domain, int64_t deadline_ms, Usable usable,
             std::function<void(Outcome)> done);
  // Deletes the lease if this proxy still holds it (compare-and-delete); fire and forget.
  void Release(const std::string& domain, const std::string& lease);
  // Ends every claim now with an empty outcome (for shutdown); later calls do nothing but end
  // a new claim the same way.
  void Cancel();

  const Stats& stats() const { return stats_; }
  size_t claims() const { return claims_.size(); }
  // Lines for INFO ("name:value\r\n").
  void AppendInfo(std::string* out) const;

 private:
  struct Pending;
  Pending* Find(uint64_t id);
  void Fetch(uint64_t id);
  void TryTake(uint64_t id, bool unless_record);
  void Wait(uint64_t id);
  void Finish(uint64_t id, Outcome outcome);
  // Outcome::deadline_ms of `claim` at `now_ms`.
  static int64_t ResolveBy(const Pending& claim, int64_t now_ms);
  void OnPoll(uint64_t id);

  uv_loop_t* loop_;
  SharedRecords* records_;
  Options options_;
  Clock clock_;
  // The lease scripts, run by SHA like every fleet script.
  FleetScript take_, release_;
  uint64_t nonce_;
  uint64_t serial_ = 0;
  uint64_t next_id_ = 1;
  bool cancelled_ = false;
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> claims_;
  Stats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage::fleet
