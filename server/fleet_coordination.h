// FleetCoordination: what a proxy with `fleet-redis` does with the other proxies beyond sharing
// records: it tells them it is alive (storage/fleet/heartbeat.h), learns which of them are,
// and holds the `scope all` budgets with them (fleet_budgets.h), whose local share divides by
// the proxies alive at the last heartbeat. WHOIS.FLEET and INFO's `# Fleet` read it. Loop
// thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/fleet_budgets.h"
#include "storage/fleet/fleet_client.h"
#include "storage/fleet/heartbeat.h"

namespace server {

class FleetCoordination {
 public:
  struct Options {
    std::string prefix = "wp";
    std::string node_name;
    std::vector<std::string> sources;  // upstream source addresses
    int64_t slot_ttl_ms = 30000;       // see FleetBudgets::Options
    std::function<int64_t()> lookups_in_flight;
    std::function<int64_t()> wall_clock_ms;
  };
  // `client` outlives this object. The first heartbeat is sent at once.
  FleetCoordination(uv_loop_t* loop, storage::fleet::FleetClient* client, Options options);

  FleetBudgets& budgets() { return *budgets_; }
  const FleetBudgets& budgets() const { return *budgets_; }
  const storage::fleet::FleetHeartbeat& heartbeat() const { return *heartbeat_; }
  // INFO lines ("name:value\r\n"): fleet_proxies_alive, heartbeat and budget figures.
  void AppendInfo(std::string* out) const;

 private:
  std::unique_ptr<FleetBudgets> budgets_;
  std::unique_ptr<storage::fleet::FleetHeartbeat> heartbeat_;
};

}  // namespace server
