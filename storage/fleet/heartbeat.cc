#include "storage/fleet/heartbeat.h"

namespace storage::fleet {

FleetHeartbeat::FleetHeartbeat(uv_loop_t* loop, FleetClient* client, Options options)
    : options_(std::move(options)), script_(client, kHeartbeatScript), timer_(loop) {
  timer_.Start(0, kHeartbeatPeriodMs, [this] { Beat(); });
}

FleetHeartbeat::~FleetHeartbeat() { *alive_ = false; }

void FleetHeartbeat::Beat() {
  // A heartbeat still waiting for Redis (a slow one) is not doubled.
  if (in_flight_) return;
  in_flight_ = true;
  FleetMember self;
  self.name = options_.name;
  self.sources = options_.sources;
  self.lookups_in_flight = options_.lookups_in_flight ? options_.lookups_in_flight() : 0;
  MemberKeys keys = FleetMemberKeys(options_.prefix);
  script_.Run({keys.nodes, keys.seen}, HeartbeatArgs(self, kHeartbeatExpiryMs),
              [this, alive = alive_](Status st, Reply reply) {
                if (!*alive) return;
                in_flight_ = false;
                ++beats_;
                int64_t now = 0;
                std::vector<FleetMember> live;
                if (st.ok()) st = ParseHeartbeatReply(reply, &now, &live);
                if (st.ok()) {
                  live_ = std::move(live);
                  last_ok_ms_ = now;
                } else {
                  ++failures_;
                }
                if (options_.on_beat) options_.on_beat(st.ok(), live_);
              });
}

}  // namespace storage::fleet
