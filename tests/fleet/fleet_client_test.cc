// FleetClient against real servers the tests start: a single redis-server (with and without a
// password) and a 3-master Redis Cluster, including a slot moved and a slot being migrated
// under the client, a command that outlives its timeout, and a server that goes and comes back.
#include "storage/fleet/fleet_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "fleet_replies.h"
#include "loopback_socket.h"
#include "one_redis_test.h"
#include "redis_server.h"
#include "storage/fleet/key_slot.h"
#include "uv_test_loop.h"
#include "wait_until.h"

namespace storage::fleet {
namespace {

using test_support::RedisCall;
using test_support::ReplyText;

using Loop = test_support::UvTestLoop;
using fleet_test::ClientOptionsFor;
using fleet_test::Result;

// Sends one command and runs the loop until its callback.
Result Call(Loop& loop, FleetClient& client, std::vector<std::string> argv) {
  return fleet_test::RunUntilReply(
      loop, [&](FleetClient::Callback done) { client.Command(std::move(argv), std::move(done)); });
}

// A socket that listens but never accepts: the kernel completes the connection, nothing reads.
struct SilentServer {
  SilentServer() {
    sockaddr_in addr{};
    fd = test_support::BindLoopback(&addr);
    if (fd >= 0 && listen(fd, 8) == 0)
      address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~SilentServer() {
    if (fd >= 0) close(fd);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int fd = -1;
  std::string address;  // empty if it could not listen
};

class FleetClientTest : public ::testing::Test {
 protected:
  // Starts *redis, then client_ on it with `timeout_ms` per command.
  void StartRedisAndClient(test_support::RedisServer* redis, int64_t timeout_ms = 5000) {
    std::string error;
    ASSERT_TRUE(redis->Start(&error)) << error;
    client_ = std::make_unique<FleetClient>(loop_.get(),
                                            ClientOptionsFor({redis->address()}, timeout_ms));
  }
  void TearDown() override {
    if (client_) {
      client_->Close();
      client_.reset();
    }
  }
  Loop loop_;
  std::unique_ptr<FleetClient> client_;
};

TEST_F(FleetClientTest, SingleServerRoundTrip) {
  test_support::RedisServer redis;
  ASSERT_NO_FATAL_FAILURE(StartRedisAndClient(&redis));
  Result set = Call(loop_, *client_, {"SET", "{wp:example.com}r", std::string("a\0b", 3)});
  ASSERT_TRUE(set.status.ok()) << set.status.ToString();
  EXPECT_EQ(set.reply.str, "OK");
  EXPECT_EQ(client_->mode(), FleetClient::Mode::kSingle);
  Result get = Call(loop_, *client_, {"GET", "{wp:example.com}r"});
  ASSERT_TRUE(get.status.ok());
  EXPECT_EQ(get.reply.type, Reply::Type::kString);
  EXPECT_EQ(get.reply.str, std::string("a\0b", 3));
  EXPECT_TRUE(Call(loop_, *client_, {"GET", "absent"}).reply.is_nil());
  Result bad = Call(loop_, *client_, {"NOSUCHCOMMAND", "x"});
  ASSERT_TRUE(bad.status.ok());
  EXPECT_TRUE(bad.reply.is_error());
  // What the client wrote is in the server.
  auto c = redis.Connect();
  EXPECT_EQ(ReplyText(RedisCall(c.get(), {"STRLEN", "{wp:example.com}r"}).get()), "3");
}

TEST_F(FleetClientTest, AuthenticatesWithThePassword) {
  test_support::RedisServer redis({.password = "s3cret"});
  std::string error;
  ASSERT_TRUE(redis.Start(&error)) << error;
  ClientOptions with = ClientOptionsFor({redis.address()});
  with.password = "s3cret";
  client_ = std::make_unique<FleetClient>(loop_.get(), with);
  Result ok = Call(loop_, *client_, {"SET", "k", "v"});
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  EXPECT_EQ(ok.reply.str, "OK");
  // Without it, the server refuses (the discovery itself is refused: an error status).
  FleetClient without(loop_.get(), ClientOptionsFor({redis.address()}));
  Result refused = Call(loop_, without, {"SET", "k", "v"});
  EXPECT_FALSE(refused.status.ok());
  EXPECT_NE(refused.status.message().find("NOAUTH"), std::string::npos)
      << refused.status.ToString();
  without.Close();
}

TEST_F(FleetClientTest, ACommandPastItsTimeoutFailsAndItsLateReplyIsIgnored) {
  test_support::RedisServer redis;
  ASSERT_NO_FATAL_FAILURE(StartRedisAndClient(&redis, 2000));
  ASSERT_TRUE(Call(loop_, *client_, {"SET", "k", "v"}).status.ok());
  // BLPOP holds the connection for 3 s and then answers nil; the client gives up at 2 s.
  int calls = 0;
  Status blpop;
  client_->Command({"BLPOP", "empty-list", "3"}, [&](Status st, Reply) {
    ++calls;
    blpop = st;
  });
  ASSERT_TRUE(loop_.RunUntil([&] { return calls > 0; }));
  EXPECT_FALSE(blpop.ok());
  EXPECT_NE(blpop.message().find("within 2000 ms"), std::string::npos) << blpop.ToString();
  EXPECT_EQ(client_->stats().timeouts, 1u);
  // The next command waits behind BLPOP on the same connection: BLPOP's late nil arrives first
  // and must not be taken for its reply, nor call BLPOP's callback again.
  Result get = Call(loop_, *client_, {"GET", "k"});
  ASSERT_TRUE(get.status.ok()) << get.status.ToString();
  EXPECT_EQ(get.reply.str, "v");
  EXPECT_EQ(calls, 1);
}

// A long turn of the loop (a pipelined import: hundreds of records stored and published per
// turn) makes libuv run a command's timer before it polls the socket where the reply already
// waits, or before it has even written the command. Neither is Redis failing to answer.
TEST_F(FleetClientTest, ABusyLoopIsNotTakenForASlowRedis) {
  test_support::RedisServer redis;
  ASSERT_NO_FATAL_FAILURE(StartRedisAndClient(&redis, 100));
  ASSERT_TRUE(Call(loop_, *client_, {"SET", "k", "v"}).status.ok());
  for (bool written_first : {true, false}) {
    SCOPED_TRACE(written_first ? "reply waiting in the socket" : "command not yet written");
    std::optional<Result> got;
    client_->Command({"GET", "k"}, [&](Status st, Reply r) { got = Result{st, std::move(r)}; });
    // One turn without waiting writes the command (hiredis writes when the socket is writable).
    if (written_first) uv_run(loop_.get(), UV_RUN_NOWAIT);
    // The loop's long turn: this thread is the loop, so it blocks (nothing to poll for).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(loop_.RunUntil([&] { return got.has_value(); }));
    ASSERT_TRUE(got->status.ok()) << got->status.ToString();
    EXPECT_EQ(got->reply.str, "v");
  }
  EXPECT_EQ(client_->stats().timeouts, 0u);
  EXPECT_EQ(client_->stats().failed, 0u);
  EXPECT_TRUE(client_->reachable());
}

TEST_F(FleetClientTest, AServerThatNeverAnswersTimesOut) {
  SilentServer silent;
  ASSERT_FALSE(silent.address.empty());
  client_ = std::make_unique<FleetClient>(loop_.get(), ClientOptionsFor({silent.address}, 100));
  auto start = std::chrono::steady_clock::now();
  Result r = Call(loop_, *client_, {"GET", "k"});
  EXPECT_FALSE(r.status.ok());
  // (The loop's clock is cached per iteration: a little under 100 ms by steady_clock.)
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(80));
  EXPECT_GE(client_->stats().timeouts, 1u);
  client_->Close();
  client_.reset();
}

// A loop that stays busy delays a command's failure, but not for ever: 1 s past its timeout.
TEST_F(FleetClientTest, AStillBusyLoopStillTimesOutASilentServer) {
  SilentServer silent;
  ASSERT_FALSE(silent.address.empty());
  client_ = std::make_unique<FleetClient>(loop_.get(), ClientOptionsFor({silent.address}, 100));
  std::optional<Result> got;
  auto start = std::chrono::steady_clock::now();
  client_->Command({"GET", "k"}, [&](Status st, Reply r) { got = Result{st, std::move(r)}; });
  // Every turn of the loop runs 70 ms late (this thread is the loop).
  ASSERT_TRUE(loop_.RunUntil([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(70));
    return got.has_value();
  }));
  EXPECT_FALSE(got->status.ok());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(1000));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
  client_->Close();
  client_.reset();
}

TEST_F(FleetClientTest, ReconnectsWithBackoffWhenTheServerComesBack) {
  test_support::RedisServer redis;
  std::string error;
  ASSERT_TRUE(redis.Start(&error)) << error;
  ClientOptions options = ClientOptionsFor({redis.address()}, 1000);
  std::vector<bool> changes;  // each change of state, once
  options.on_state_change = [&](bool up, const std::string&) { changes.push_back(up); };
  client_ = std::make_unique<FleetClient>(loop_.get(), options);
  ASSERT_TRUE(Call(loop_, *client_, {"SET", "k", "v"}).status.ok());
  EXPECT_TRUE(changes.empty());
  EXPECT_TRUE(client_->reachable());
  redis.Stop();
  Result down = Call(loop_, *client_, {"GET", "k"});
  EXPECT_FALSE(down.status.ok());
  // While the back-off runs, commands fail at once instead of waiting for a connection.
  Result fast = Call(loop_, *client_, {"GET", "k"});
  EXPECT_FALSE(fast.status.ok());
  EXPECT_GE(client_->stats().connect_failures, 1u);
  EXPECT_FALSE(client_->reachable());
  // Two failed commands, one change of state.
  EXPECT_EQ(changes, std::vector<bool>{false});
  ASSERT_TRUE(redis.Start(&error)) << error;
  // The server restarted empty (no persistence): a SET answers OK once reconnected.
  bool back = test_support::WaitUntil([&] {
    Result r = Call(loop_, *client_, {"SET", "k", "again"});
    return r.status.ok() && r.reply.str == "OK";
  });
  EXPECT_TRUE(back);
  EXPECT_EQ(Call(loop_, *client_, {"GET", "k"}).reply.str, "again");
  EXPECT_TRUE(client_->reachable());
  EXPECT_EQ(changes, (std::vector<bool>{false, true}));
}

TEST_F(FleetClientTest, UnreachableSeedsFailFast) {
  test_support::RedisServer redis;
  std::string error;
  ASSERT_TRUE(redis.Start(&error)) << error;
  std::string address = redis.address();
  redis.Stop();
  client_ = std::make_unique<FleetClient>(loop_.get(), ClientOptionsFor({address}, 10000));
  auto start = std::chrono::steady_clock::now();
  Result r = Call(loop_, *client_, {"GET", "k"});
  EXPECT_FALSE(r.status.ok());
  // Refused at once, not after the 10 s timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(5000));
  EXPECT_EQ(client_->mode(), FleetClient::Mode::kUnknown);
}

class FleetClusterTest : public FleetClientTest {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.Start(&error)) << error;
    // One seed is enough: the others are learnt from CLUSTER SLOTS.
    client_ =
        std::make_unique<FleetClient>(loop_.get(), ClientOptionsFor({cluster_.addresses()[1]}));
  }
  // The node (index) that owns `slot`, by asking it directly.
  std::string NodeId(size_t i) {
    auto c = cluster_.node(i).Connect();
    return ReplyText(RedisCall(c.get(), {"CLUSTER", "MYID"}).get());
  }
  size_t OwnerOf(int slot) {
    const NodeAddress* node = client_->slot_map().NodeFor(slot);
    for (size_t i = 0; i < cluster_.size(); ++i)
      if (node && node->ToString() == cluster_.node(i).address()) return i;
    return cluster_.size();
  }
  // After a first command (so the client holds the map): `key`'s slot, the master that owns it,
  // and the next master, where the test moves the slot.
  void PlanMove(const std::string& key, int* slot, size_t* from, size_t* to) {
    ASSERT_TRUE(Call(loop_, *client_, {"PING"}).status.ok());
    *slot = KeySlot(key);
    *from = OwnerOf(*slot);
    ASSERT_LT(*from, cluster_.size());
    *to = (*from + 1) % cluster_.size();
  }
  test_support::RedisCluster cluster_{3};
};

TEST_F(FleetClusterTest, RoutesEveryKeyToItsMaster) {
  Result ping = Call(loop_, *client_, {"PING"});
  ASSERT_TRUE(ping.status.ok()) << ping.status.ToString() << " mode "
                                << static_cast<int>(client_->mode()) << " connects "
                                << client_->stats().connects << " failures "
                                << client_->stats().connect_failures << " map "
                                << client_->slot_map().covered();
  EXPECT_EQ(client_->mode(), FleetClient::Mode::kCluster);
  EXPECT_EQ(client_->slot_map().covered(), kClusterSlots);
  EXPECT_EQ(client_->slot_map().nodes().size(), 3u);
  for (int i = 0; i < 300; ++i) {
    std::string key = "{wp:d" + std::to_string(i) + ".com}r";
    Result set = Call(loop_, *client_, {"SET", key, std::to_string(i)});
    ASSERT_TRUE(set.status.ok()) << set.status.ToString();
    ASSERT_EQ(set.reply.str, "OK") << key;
  }
  for (int i = 0; i < 300; ++i) {
    std::string key = "{wp:d" + std::to_string(i) + ".com}r";
    EXPECT_EQ(Call(loop_, *client_, {"GET", key}).reply.str, std::to_string(i));
  }
  // Every master got some: the keys were spread, and no redirection was needed.
  EXPECT_EQ(client_->stats().moved, 0u);
  EXPECT_EQ(client_->stats().asked, 0u);
  for (size_t n = 0; n < cluster_.size(); ++n) {
    auto c = cluster_.node(n).Connect();
    EXPECT_GT(std::stoi(ReplyText(RedisCall(c.get(), {"DBSIZE"}).get())), 0);
  }
}

TEST_F(FleetClusterTest, SlotsAgreeWithClusterKeyslot) {
  auto c = cluster_.node(0).Connect();
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string key;
    for (int j = 0, n = static_cast<int>(rng() % 20); j < n; ++j) key += "{}ab:.-x"[rng() % 8];
    key += std::to_string(rng());
    EXPECT_EQ(ReplyText(RedisCall(c.get(), {"CLUSTER", "KEYSLOT", key}).get()),
              std::to_string(KeySlot(key)))
        << key;
  }
}

TEST_F(FleetClusterTest, FollowsMovedAndRefreshesTheMap) {
  const std::string key = "{wp:moved.example}r";
  int slot = 0;
  size_t from = 0, to = 0;
  ASSERT_NO_FATAL_FAILURE(PlanMove(key, &slot, &from, &to));
  // Move the (empty) slot behind the client's back: every node learns its new owner.
  std::string to_id = NodeId(to);
  for (size_t i = 0; i < cluster_.size(); ++i) {
    auto c = cluster_.node(i).Connect();
    auto r = RedisCall(c.get(), {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", to_id});
    ASSERT_NE(r->type, REDIS_REPLY_ERROR) << ReplyText(r.get());
  }
  uint64_t refreshes = client_->stats().map_refreshes;
  Result set = Call(loop_, *client_, {"SET", key, "v"});
  ASSERT_TRUE(set.status.ok()) << set.status.ToString();
  EXPECT_EQ(set.reply.str, "OK");
  EXPECT_EQ(client_->stats().moved, 1u);
  EXPECT_EQ(OwnerOf(slot), to);
  auto c = cluster_.node(to).Connect();
  EXPECT_EQ(ReplyText(RedisCall(c.get(), {"GET", key}).get()), "v");
  // The next command triggers a full CLUSTER SLOTS refresh; no more redirections.
  EXPECT_EQ(Call(loop_, *client_, {"GET", key}).reply.str, "v");
  EXPECT_TRUE(loop_.RunUntil([&] { return client_->stats().map_refreshes > refreshes; }));
  EXPECT_EQ(client_->stats().moved, 1u);
  EXPECT_EQ(OwnerOf(slot), to);
}

TEST_F(FleetClusterTest, FollowsAskDuringAMigration) {
  const std::string key = "{wp:ask.example}r";
  int slot = 0;
  size_t from = 0, to = 0;
  ASSERT_NO_FATAL_FAILURE(PlanMove(key, &slot, &from, &to));
  std::string from_id = NodeId(from), to_id = NodeId(to);
  auto src = cluster_.node(from).Connect();
  auto dst = cluster_.node(to).Connect();
  ASSERT_NE(RedisCall(dst.get(), {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", from_id})
                ->type,
            REDIS_REPLY_ERROR);
  ASSERT_NE(
      RedisCall(src.get(), {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", to_id})->type,
      REDIS_REPLY_ERROR);
  // The key is not on the source: it answers ASK, and the write lands on the target.
  Result set = Call(loop_, *client_, {"SET", key, "migrating"});
  ASSERT_TRUE(set.status.ok()) << set.status.ToString();
  EXPECT_EQ(set.reply.str, "OK");
  EXPECT_EQ(client_->stats().asked, 1u);
  EXPECT_EQ(client_->stats().moved, 0u);
  // ASK leaves the map alone: the slot is still the source's until the migration ends.
  EXPECT_EQ(OwnerOf(slot), from);
  Result get = Call(loop_, *client_, {"GET", key});
  EXPECT_EQ(get.reply.str, "migrating");
  EXPECT_EQ(client_->stats().asked, 2u);
  // The migration ends: the key was on the target all along.
  for (size_t i = 0; i < cluster_.size(); ++i) {
    auto c = cluster_.node(i).Connect();
    RedisCall(c.get(), {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", to_id});
  }
  EXPECT_EQ(Call(loop_, *client_, {"GET", key}).reply.str, "migrating");
  EXPECT_EQ(client_->stats().moved, 1u);
}

TEST_F(FleetClusterTest, HashTaggedKeysOfOneDomainShareASlot) {
  auto c = cluster_.node(0).Connect();
  std::string r = ReplyText(RedisCall(c.get(), {"CLUSTER", "KEYSLOT", "{wp:example.com}r"}).get());
  EXPECT_EQ(r,
            ReplyText(RedisCall(c.get(), {"CLUSTER", "KEYSLOT", "{wp:example.com}lease"}).get()));
  EXPECT_EQ(r, std::to_string(KeySlot("{wp:example.com}r")));
  // So a multi-key command on them is accepted by the cluster (no CROSSSLOT).
  Result mset =
      Call(loop_, *client_, {"MSET", "{wp:example.com}r", "1", "{wp:example.com}lease", "2"});
  ASSERT_TRUE(mset.status.ok());
  EXPECT_EQ(mset.reply.str, "OK");
}

}  // namespace
}  // namespace storage::fleet
