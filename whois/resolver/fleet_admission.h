// FleetAdmission: what the upstream gate asks, after a host's own limits admitted a start,
// when that host's budget is held by a fleet of proxies rather than by this proxy alone
// (`scope all` with `fleet-redis`: server/fleet_budgets.h). The gate holds the start's local
// slot while it waits, so the proxy's own limits still apply on top. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "whois/limits/host_scheduler.h"
#include "whois/limits/limit_spec.h"

namespace whois {

class FleetAdmission {
 public:
  virtual ~FleetAdmission() = default;

  // A granted start: `sent` when its query is written (at most once), `release` exactly once
  // when its connection has closed (a start never sent counts from then).
  struct Grant {
    std::function<void()> sent;
    std::function<void()> release;
  };
  // Nullopt: cancelled (shutdown).
  using Refused = std::function<void(std::optional<limits::Rejection>)>;

  // Whether starts under `spec` need the fleet's grant.
  virtual bool Holds(const limits::LimitSpec& spec) const = 0;
  // One start at `host` under `spec`, no later than `deadline_ms` (wall clock): `granted` or
  // `refused` is called exactly once, never from inside Acquire.
  virtual void Acquire(const std::string& host, const limits::LimitSpec& spec, int64_t deadline_ms,
                       std::function<void(Grant)> granted, Refused refused) = 0;
  // Refuses every waiting Acquire as cancelled.
  virtual void CancelAll() = 0;
};

}  // namespace whois
