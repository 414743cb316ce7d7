// FleetHeartbeat: every kHeartbeatPeriodMs this proxy tells the fleet's Redis that it is alive
// (its name, source addresses and lookups in flight; fleet_members.h has the keys) and learns
// which proxies are alive. An entry expires kHeartbeatExpiryMs after its last heartbeat, so a
// dead proxy drops out of every list within that time plus one period. Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/fleet/fleet_client.h"
#include "storage/fleet/fleet_members.h"
#include "storage/fleet/fleet_script.h"
#include "util/uv_timer.h"

namespace storage::fleet {

inline constexpr int64_t kHeartbeatPeriodMs = 2000;
inline constexpr int64_t kHeartbeatExpiryMs = 3 * kHeartbeatPeriodMs;

class FleetHeartbeat {
 public:
  struct Options {
    std::string prefix = "wp";
    std::string name;
    std::vector<std::string> sources;
    std::function<int64_t()> lookups_in_flight;
    // After each heartbeat: whether Redis answered it, and the live members then (the last
    // known ones when it did not).
    std::function<void(bool ok, const std::vector<FleetMember>& live)> on_beat;
  };
  // `client` outlives this object. The first heartbeat is sent at once.
  FleetHeartbeat(uv_loop_t* loop, FleetClient* client, Options options);
  // Stops the timer (the loop must run for its handle to be released); a heartbeat in flight is
  // forgotten.
  ~FleetHeartbeat();
  FleetHeartbeat(const FleetHeartbeat&) = delete;
  FleetHeartbeat& operator=(const FleetHeartbeat&) = delete;

  // The live proxies at the last heartbeat Redis answered (this one included), by name.
  const std::vector<FleetMember>& live() const { return live_; }
  int64_t last_ok_ms() const { return last_ok_ms_; }  // Redis's clock; 0: never
  uint64_t beats() const { return beats_; }
  uint64_t failures() const { return failures_; }

 private:
  void Beat();

  Options options_;
  FleetScript script_;
  util::UvTimer timer_;
  bool in_flight_ = false;
  std::vector<FleetMember> live_;
  int64_t last_ok_ms_ = 0;
  uint64_t beats_ = 0, failures_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage::fleet
