// Real redis-server processes for tests: a single server, or a Redis Cluster of N masters formed
// with `redis-cli --cluster create`, each on a free loopback port with its own temporary
// directory. Everything they start, they stop (the destructor too).
//
//   test_support::RedisCluster cluster(3);
//   ASSERT_TRUE(cluster.Start(&error)) << error;
//   ... connect to cluster.addresses() ...
#pragma once

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "util/hiredis_handles.h"

namespace test_support {

using RedisConnection = util::HiredisContext;
using RedisReply = util::HiredisReply;

// Runs one command on a blocking hiredis connection (nullptr if the connection failed).
RedisReply RedisCall(redisContext* c, const std::vector<std::string>& argv);
// The reply as text: a string, status or error's bytes, an integer's digits; "" otherwise.
std::string ReplyText(const redisReply* r);

class RedisServer {
 public:
  struct Options {
    bool cluster = false;  // --cluster-enabled yes (the bus port, port + 10000, must be free too)
    std::string password;  // --requirepass
  };
  RedisServer();
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts on a free port (after a Stop: the same port, so clients can reconnect) and waits
  // until it accepts connections. False with *error if not.
  bool Start(std::string* error);
  // SIGTERM and wait (SIGKILL after test_support::kPatience).
  void Stop();
  // SIGKILL and reap: a crash.
  void Kill();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:<port>"
  // A new blocking connection (authenticated if a password is set); nullptr on failure.
  RedisConnection Connect() const;

 private:
  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

class RedisCluster {
 public:
  explicit RedisCluster(int masters = 3);
  ~RedisCluster();

  // Starts the masters, forms the cluster (no replicas) and waits until every node reports
  // cluster_state:ok and knows every slot's owner.
  bool Start(std::string* error);
  void Stop();
  // Moves `slots` slots (with their keys) from master `from` to master `to` with
  // `redis-cli --cluster reshard ... --cluster-yes`, as an operator would; blocks until it is
  // done. False with *error (what redis-cli printed) if it failed.
  bool Reshard(size_t from, size_t to, int slots, std::string* error);
  RedisServer& node(size_t i) { return *nodes_[i]; }
  size_t size() const { return nodes_.size(); }
  std::vector<std::string> addresses() const;

 private:
  std::vector<std::unique_ptr<RedisServer>> nodes_;
};

}  // namespace test_support
