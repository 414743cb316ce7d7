// The tool's connection to a running whois-proxy (any Redis-protocol server): hiredis, with
// AUTH when a password is given, and pipelining for bulk work.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace cli {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisClient {
 public:
  // Unavailable when the server cannot be reached, InvalidArgument when it refuses the password;
  // never a null client.
  static util::StatusOr<std::unique_ptr<RedisClient>> Connect(const std::string& host, int port,
                                                              const std::string& password);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command and waits for its reply; nullptr on a connection error (see error()).
  Reply Command(const std::vector<std::string>& argv);
  // Pipelining: Append queues a command, Read waits for the oldest reply not yet read.
  void Append(const std::vector<std::string>& argv);
  Reply Read();
  std::string error() const;

 private:
  explicit RedisClient(redisContext* c) : c_(c) {}
  redisContext* c_;
};

// A reply's text (string, status, error), or "" for other types.
std::string ReplyText(const redisReply* r);

}  // namespace cli
