#include "server/fleet_coordination.h"

#include "util/info_writer.h"

namespace server {

FleetCoordination::FleetCoordination(uv_loop_t* loop, storage::fleet::FleetClient* client,
                                     Options options) {
  FleetBudgets::Options b;
  b.prefix = options.prefix;
  b.node_name = options.node_name;
  b.slot_ttl_ms = options.slot_ttl_ms;
  b.unsent_hold_ms = options.slot_ttl_ms;
  budgets_ = std::make_unique<FleetBudgets>(loop, client, b, options.wall_clock_ms);
  storage::fleet::FleetHeartbeat::Options h;
  h.prefix = options.prefix;
  h.name = options.node_name;
  h.sources = options.sources;
  h.lookups_in_flight = options.lookups_in_flight;
  FleetBudgets* budgets = budgets_.get();
  h.on_beat = [budgets](bool ok, const std::vector<storage::fleet::FleetMember>& live) {
    budgets->OnHeartbeat(ok, live.size());
  };
  heartbeat_ = std::make_unique<storage::fleet::FleetHeartbeat>(loop, client, std::move(h));
}

void FleetCoordination::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("fleet_proxies_alive", heartbeat_->live().size());
  info.Field("fleet_heartbeats", heartbeat_->beats());
  info.Field("fleet_heartbeat_failures", heartbeat_->failures());
  budgets_->AppendInfo(out);
}

}  // namespace server
