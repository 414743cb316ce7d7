// FleetScript: one Lua script run on the fleet's Redis with EVALSHA, so that its text crosses
// the network once per node rather than once per call. The script's SHA1 is learned with
// SCRIPT LOAD the first time it is run (that call and any made before the answer use EVAL);
// a node that does not know it (a restarted server, another Cluster master) answers NOSCRIPT
// and the call is repeated at once with EVAL, which caches the script there. Loop thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/fleet/fleet_client.h"

namespace storage::fleet {

class FleetScript {
 public:
  // `client` outlives this object.
  FleetScript(FleetClient* client, std::string source);
  // Callbacks of calls still pending run, but no fallback EVAL is sent for them.
  ~FleetScript() { *alive_ = false; }
  FleetScript(const FleetScript&) = delete;
  FleetScript& operator=(const FleetScript&) = delete;

  // Runs the script with `keys` (at least one; all in one Cluster slot: keys[0] routes the
  // call) and `args`. `done` as FleetClient::Command's: a script's error is an error reply.
  void Run(std::vector<std::string> keys, std::vector<std::string> args,
           FleetClient::Callback done);

  const std::string& sha() const { return sha_; }
  uint64_t noscript_fallbacks() const { return noscript_fallbacks_; }

 private:
  std::vector<std::string> Argv(const char* verb, const std::string& script_or_sha,
                                const std::vector<std::string>& keys,
                                const std::vector<std::string>& args) const;

  FleetClient* client_;
  std::string source_;
  std::string sha_;  // empty until SCRIPT LOAD answered
  bool loading_ = false;
  uint64_t noscript_fallbacks_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage::fleet
