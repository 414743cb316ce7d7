// FleetClient: the proxies' connection to the fleet's Redis, a single server or a Redis Cluster,
// on hiredis's asynchronous API driven by the libuv loop (hiredis's libuv adapter). Loop thread
// only.
//
// Start() tells the two apart from the seeds (`INFO cluster`: cluster_enabled:1 means a Cluster,
// whose slot map is then read with `CLUSTER SLOTS`). A command is routed by its key (argv[1]) to
// the master of the key's slot (key_slot.h); `MOVED` updates the map (and a full refresh
// follows), `ASK` sends ASKING and the command to the importing node once. Each connection sends
// AUTH first when a password is set.
//
// Every command has its own timer (hiredis 0.14 has no per-command timeout): when `timeout_ms`
// passes first, its callback gets an IOError and the late reply is ignored. A busy loop is not
// taken for a slow Redis: when the timer fires the client first writes the connection's buffer
// and reads what has arrived (a reply already there completes the command), and a timer that
// fired late (the loop's turn ran long) gives the command 50 ms more, again at each late firing
// up to 1 s more in all. A node that cannot be
// reached is not asked again before its back-off (backoff.h) has passed: meanwhile its commands
// fail at once, so a proxy whose Redis is gone is not slowed by it.
//
// Callbacks run on the loop, always after Command has returned, exactly once each: with an OK
// status and the reply (which may be an error reply, e.g. a Lua script's), or with an error
// status (timeout, connection lost, Redis unreachable, client closed) and a nil reply.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/fleet/backoff.h"
#include "storage/fleet/node_address.h"
#include "storage/fleet/reply.h"
#include "storage/fleet/slot_map.h"
#include "storage/status.h"

struct redisAsyncContext;
struct redisReply;

namespace storage::fleet {

struct ClientOptions {
  std::vector<NodeAddress> seeds;  // at least one
  std::string password;            // empty: no AUTH
  int64_t timeout_ms = 200;        // per command
  Backoff backoff;                 // between attempts to reach an unreachable node
  // Called when Redis stops answering (up = false: the first command that failed for want of
  // an answer, with its reason) and when it answers again (up = true): once per change of
  // state, never per command, so a proxy whose Redis is gone logs it once.
  std::function<void(bool up, const std::string& why)> on_state_change;
};

class FleetClient {
 public:
  using Callback = std::function<void(Status status, Reply reply)>;
  enum class Mode { kUnknown, kSingle, kCluster };

  struct Stats {
    uint64_t commands = 0;
    uint64_t failed = 0;    // error status (timeouts included)
    uint64_t timeouts = 0;  // of `failed`
    uint64_t moved = 0;
    uint64_t asked = 0;
    uint64_t map_refreshes = 0;  // CLUSTER SLOTS read
    uint64_t connects = 0;       // connections opened
    uint64_t connect_failures = 0;
  };

  FleetClient(uv_loop_t* loop, ClientOptions options);
  // Close()s. The loop must run afterwards for the handles to be released.
  ~FleetClient();
  FleetClient(const FleetClient&) = delete;
  FleetClient& operator=(const FleetClient&) = delete;

  // Starts telling a single server from a Cluster (commands sent meanwhile wait for it, within
  // their timeouts). Optional: the first command starts it too.
  void Start();
  // Sends `argv` (its key routes it in a Cluster: argv[1], or a script's first key, see
  // RoutingKey in key_slot.h; a command without a key goes to any node).
  void Command(std::vector<std::string> argv, Callback done);
  // Like Command, but to one node (e.g. `CLUSTER INFO` of each master).
  void CommandTo(const NodeAddress& node, std::vector<std::string> argv, Callback done);
  // Fails every pending command with "closed" and drops the connections; later commands fail.
  void Close();

  Mode mode() const { return mode_; }
  // False from a command that failed for want of an answer (timeout, lost or unreachable
  // connection) until the next reply; true before the first command.
  bool reachable() const { return reachable_; }
  const SlotMap& slot_map() const { return map_; }
  // kSingle: the server the seeds led to.
  const NodeAddress& single_server() const { return single_; }
  const Stats& stats() const { return stats_; }
  const ClientOptions& options() const { return options_; }

 private:
  struct Request;
  struct Node {
    FleetClient* client = nullptr;
    NodeAddress address;
    redisAsyncContext* ctx = nullptr;
    uint32_t failures = 0;  // connection attempts in a row that failed
    uint64_t retry_at = 0;  // uv_now: no attempt before this
  };

  Request* NewRequest(std::vector<std::string> argv, Callback done);
  void Dispatch(Request* req);
  void SendTo(Request* req, const NodeAddress& address, bool asking = false);
  // The node's connection, opened if needed; nullptr with *error while it is backing off.
  Node* Connection(const NodeAddress& address, Status* error);
  void NodeLost(Node* node, const std::string& why);
  // Writes what hiredis holds for the node `req` was sent to and reads what has arrived, so
  // that a reply already there completes it. True if `req` is finished now.
  bool ServiceConnection(Request* req);
  void Finish(Request* req, Status status, Reply reply);
  void FailSoon(Request* req, Status status);
  static void Release(Request* req);
  void Discover(size_t seed_index, Status last_error);
  void DiscoveryFailed(const Status& why);
  void RefreshMap();
  void FlushWaiting();

  static void OnTimer(Request* req);
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void OnConnect(const redisAsyncContext* ac, int status);
  static void OnDisconnect(const redisAsyncContext* ac, int status);

  uv_loop_t* loop_;
  ClientOptions options_;
  Mode mode_ = Mode::kUnknown;
  NodeAddress single_;  // kSingle: the server
  SlotMap map_;
  bool discovering_ = false;
  uint32_t discovery_failures_ = 0;
  uint64_t rediscover_at_ = 0;
  bool refreshing_ = false;
  bool map_stale_ = false;
  bool closed_ = false;
  bool reachable_ = true;
  void SetReachable(bool up, const std::string& why);
  uint64_t jitter_seed_ = 0;
  std::map<std::string, std::unique_ptr<Node>> nodes_;  // by NodeAddress::ToString
  std::vector<Request*> waiting_;                       // for the mode to be known
  std::unordered_set<Request*> pending_;                // not finished
  Stats stats_;
};

// "host:port" list to seeds; an error names the first bad entry.
Status ParseSeeds(const std::vector<std::string>& words, std::vector<NodeAddress>* out);

}  // namespace storage::fleet
