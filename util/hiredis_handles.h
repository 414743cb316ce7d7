// Owners of hiredis's objects, freed by hiredis's own functions: a reply and a blocking
// connection. Header only, for the command-line tool and the tests (the server itself reaches
// Redis through storage/fleet's client). Not thread-safe beyond what hiredis is: one owner.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>

namespace util {

struct HiredisReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
// A reply hiredis returned (redisCommand*, redisGetReply); null when there was none.
using HiredisReply = std::unique_ptr<redisReply, HiredisReplyFree>;

struct HiredisContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
// A blocking connection (redisConnect*); closed when the owner goes.
using HiredisContext = std::unique_ptr<redisContext, HiredisContextFree>;

}  // namespace util
