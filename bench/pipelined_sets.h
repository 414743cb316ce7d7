// Loading records into a Redis-protocol server as fast as it takes them: SETs pipelined on one
// hiredis connection with a window of commands in flight (what bench-load and bench-crawler's
// `load` do, and what `whois-proxy-cli import` does).
#pragma once

#include <hiredis/hiredis.h>

#include <cstdio>
#include <string>

namespace bench {

// Sends `count` SETs on `c`, at most `window` unanswered at a time; the i-th (0-based) is the
// key and value `next(i, &key, &value)` writes, with PX `px` when px > 0. Returns how many were
// answered with an error (the first three printed to stderr), or -1 if the connection failed
// (its error printed). `c` stays the caller's.
template <typename Next>
long PipelinedSets(redisContext* c, long count, long window, long px, Next next) {
  long sent = 0, answered = 0, errors = 0;
  std::string key, value;
  while (answered < count) {
    while (sent < count && sent - answered < window) {
      next(sent, &key, &value);
      if (px > 0)
        redisAppendCommand(c, "SET %b %b PX %ld", key.data(), key.size(), value.data(),
                           value.size(), px);
      else
        redisAppendCommand(c, "SET %b %b", key.data(), key.size(), value.data(), value.size());
      ++sent;
    }
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK) {
      std::fprintf(stderr, "connection error: %s\n", c->errstr);
      return -1;
    }
    auto* reply = static_cast<redisReply*>(r);
    if (reply->type == REDIS_REPLY_ERROR && ++errors <= 3)
      std::fprintf(stderr, "SET error: %s\n", reply->str);
    freeReplyObject(reply);
    ++answered;
  }
  return errors;
}

}  // namespace bench
