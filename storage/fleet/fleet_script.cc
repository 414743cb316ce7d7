#include "storage/fleet/fleet_script.h"

#include <memory>

namespace storage::fleet {

FleetScript::FleetScript(FleetClient* client, std::string source)
    : client_(client), source_(std::move(source)) {}

std::vector<std::string> FleetScript::Argv(const char* verb, const std::string& script_or_sha,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {verb, script_or_sha, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

void FleetScript::Run(std::vector<std::string> keys, std::vector<std::string> args,
                      FleetClient::Callback done) {
  // FleetClient routes a script by its first key (RoutingKey in key_slot.h).
  if (sha_.empty()) {
    if (!loading_) {
      loading_ = true;
      // Any node: one that does not know it yet answers NOSCRIPT and the call goes on as EVAL.
      client_->Command({"SCRIPT", "LOAD", source_},
                             [this, alive = alive_](Status st, Reply reply) {
                               if (!*alive) return;
                               loading_ = false;
                               if (st.ok() && reply.type == Reply::Type::kString) sha_ = reply.str;
                             });
    }
    return client_->Command(Argv("EVAL", source_, keys, args), std::move(done));
  }
  // Built before the callback below takes `keys` and `args` (argument order is unspecified).
  std::vector<std::string> argv = Argv("EVALSHA", sha_, keys, args);
  client_->Command(
      std::move(argv),
      [this, alive = alive_, keys = std::move(keys), args = std::move(args),
       done = std::move(done)](Status st, Reply reply) mutable {
        if (*alive && st.ok() && reply.is_error() && reply.str.rfind("NOSCRIPT", 0) == 0) {
          ++noscript_fallbacks_;
          return client_->Command(Argv("EVAL", source_, keys, args), std::move(done));
        }
        done(std::move(st), std::move(reply));
      });
}

}  // namespace storage::fleet
