// What the fleet's in-process tests connect with: the options of a FleetClient in a test, and
// the fixture of the tests that run one FleetClient against one real redis-server, on a test
// loop. The fixture starts the server in SetUp and stops it when the test ends.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "redis_server.h"
#include "storage/fleet/fleet_client.h"
#include "uv_test_loop.h"

namespace fleet_test {

// Options for a FleetClient of `seeds` (a failed expectation if they do not parse): a generous
// timeout by default (sanitizers on a loaded machine) and a short reconnect back-off, so a
// client sees a restarted Redis again within a fraction of a second.
inline storage::fleet::ClientOptions ClientOptionsFor(const std::vector<std::string>& seeds,
                                                      int64_t timeout_ms = 5000) {
  storage::fleet::ClientOptions o;
  EXPECT_TRUE(storage::fleet::ParseSeeds(seeds, &o.seeds).ok());
  o.timeout_ms = timeout_ms;
  o.backoff = storage::fleet::Backoff{20, 200};
  return o;
}

// redis_ started, client_ connected to it. A derived fixture's SetUp calls this one first and
// returns if HasFatalFailure(); its TearDown releases what uses client_, then calls this one.
class OneRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(redis_.Start(&error)) << error;
    client_ = std::make_unique<storage::fleet::FleetClient>(loop_.get(),
                                                            ClientOptionsFor({redis_.address()}));
  }
  void TearDown() override {
    if (client_) client_->Close();
    client_.reset();
  }

  test_support::UvTestLoop loop_;
  test_support::RedisServer redis_;
  std::unique_ptr<storage::fleet::FleetClient> client_;
};

}  // namespace fleet_test
