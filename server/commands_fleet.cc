// WHOIS.FLEET: the fleet as this proxy sees it (issue 17): the live proxies as of its last
// heartbeat (at most storage/fleet/heartbeat.h's period old) and the state of the Redis engine
// and of the `scope all` budgets. README "WHOIS.FLEET" documents the shape.
#include <string>

#include "server/command_table.h"
#include "server/config.h"
#include "server/fleet_coordination.h"
#include "server/record_service.h"
#include "server/server.h"

namespace server {

void CmdWhoisFleet(CommandContext& ctx) {
  const RecordService& records = ctx.server.records();
  const storage::fleet::FleetClient* client = records.fleet_client();
  const FleetCoordination* fleet = records.fleet_coordination();
  resp::ReplyWriter& w = ctx.reply;
  if (!client || !fleet) {
    w.MapHeader(1);
    w.Bulk("enabled");
    w.Integer(0);
    return;
  }
  using Mode = storage::fleet::FleetClient::Mode;
  w.MapHeader(10);
  w.Bulk("enabled");
  w.Integer(1);
  w.Bulk("node_name");
  w.Bulk(records.FleetNodeName());
  w.Bulk("engine");
  w.Bulk(client->mode() == Mode::kCluster  ? "cluster"
         : client->mode() == Mode::kSingle ? "single"
                                           : "unknown");
  w.Bulk("reachable");
  w.Integer(client->reachable() ? 1 : 0);
  w.Bulk("nodes");
  if (client->mode() == Mode::kCluster) {
    const auto& nodes = client->slot_map().nodes();
    w.ArrayHeader(nodes.size());
    for (const auto& n : nodes) w.Bulk(n.ToString());
  } else if (client->mode() == Mode::kSingle) {
    w.ArrayHeader(1);
    w.Bulk(client->single_server().ToString());
  } else {
    w.ArrayHeader(0);
  }
  w.Bulk("heartbeat_period_ms");
  w.Integer(storage::fleet::kHeartbeatPeriodMs);
  w.Bulk("heartbeat_expiry_ms");
  w.Integer(storage::fleet::kHeartbeatExpiryMs);
  w.Bulk("last_heartbeat_ms");
  w.Integer(fleet->heartbeat().last_ok_ms());
  w.Bulk("budget_mode");
  FleetBudgets::Mode mode = fleet->budgets().mode();
  w.Bulk(mode == FleetBudgets::Mode::kFleet        ? "fleet"
         : mode == FleetBudgets::Mode::kLocalShare ? "local_share"
                                                   : "restarting");
  const auto& live = fleet->heartbeat().live();
  w.Bulk("proxies");
  w.ArrayHeader(live.size());
  for (const auto& m : live) {
    w.MapHeader(4);
    w.Bulk("name");
    w.Bulk(m.name);
    w.Bulk("source_addresses");
    w.ArrayHeader(m.sources.size());
    for (const auto& s : m.sources) w.Bulk(s);
    w.Bulk("last_heartbeat_ms");
    w.Integer(m.last_heartbeat_ms);
    w.Bulk("lookups_in_flight");
    w.Integer(m.lookups_in_flight);
  }
}

}  // namespace server
