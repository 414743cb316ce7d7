// What the fleet's tests build and wait for: Redis replies written by hand for the pure parsers,
// and a command's outcome as its callback got it, waited for on a test loop.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/fleet/reply.h"
#include "storage/status.h"

namespace fleet_test {

using storage::fleet::Reply;

inline Reply Int(int64_t v) {
  Reply r;
  r.type = Reply::Type::kInteger;
  r.integer = v;
  return r;
}
inline Reply Str(std::string s) {
  Reply r;
  r.type = Reply::Type::kString;
  r.str = std::move(s);
  return r;
}
inline Reply Array(std::vector<Reply> e) {
  Reply r;
  r.type = Reply::Type::kArray;
  r.elements = std::move(e);
  return r;
}

// A fleet command's outcome, as its callback got it.
struct Result {
  storage::Status status;
  Reply reply;
};

// Calls `start` with a callback (Status, Reply) and runs `loop` (a test_support::UvTestLoop)
// until it has been called; an IOError "no callback" (and a failed expectation) if it never is.
template <typename Loop, typename Start>
Result RunUntilReply(Loop& loop, Start start) {
  std::optional<Result> got;
  start([&](storage::Status st, Reply r) { got = Result{std::move(st), std::move(r)}; });
  EXPECT_TRUE(loop.RunUntil([&] { return got.has_value(); }));
  return got.value_or(Result{storage::Status::IOError("no callback"), {}});
}

}  // namespace fleet_test
