// Commands as Redis 7 answers them, where a client or an operator tool relies on the exact
// behaviour: CLIENT KILL's filters, the arity errors of subcommands, and CONFIG SET's
// validation (issue 14, items 8 and 9).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using hardening::InfoInt;
using hardening::WaitUntil;
using testing_support::Command;
using testing_support::ProxyProcess;
using namespace std::chrono_literals;

class CommandConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    proxy_ = new ProxyProcess();
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  }
  static void TearDownTestSuite() {
    delete proxy_;
    proxy_ = nullptr;
  }
  void SetUp() override {
    admin_ = proxy_->Connect();
    ASSERT_TRUE(admin_);
  }
  void TearDown() override {
    // Leave no connection of this test behind for the next one's counts.
    Command(admin_.get(), {"CLIENT", "KILL", "TYPE", "normal"});
  }
  // The error text of `argv`, or "(not an error)".
  std::string ErrorOf(const std::vector<std::string>& argv) {
    auto r = Command(admin_.get(), argv);
    if (!r) return "(no reply)";
    if (r->type != REDIS_REPLY_ERROR) return "(not an error)";
    return std::string(r->str, r->len);
  }
  int64_t IntegerOf(const std::vector<std::string>& argv) {
    auto r = Command(admin_.get(), argv);
    if (!r) return -100;
    EXPECT_EQ(r->type, REDIS_REPLY_INTEGER) << (r->str ? r->str : "");
    return r->type == REDIS_REPLY_INTEGER ? r->integer : -100;
  }
  static int64_t ClientId(redisContext* c) {
    auto r = Command(c, {"CLIENT", "ID"});
    return r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
  }
  // The `field=` value of this connection's CLIENT INFO line.
  static std::string ClientInfoField(redisContext* c, const std::string& field) {
    auto r = Command(c, {"CLIENT", "INFO"});
    if (!r || r->type != REDIS_REPLY_STRING) return "";
    std::string line(r->str, r->len);
    size_t at = line.find(" " + field + "=");
    if (at == std::string::npos) return "";
    at += field.size() + 2;
    return line.substr(at, line.find(' ', at) - at);
  }
  // True once `c` has been closed by the server (a command on it gets no reply).
  static bool Closed(redisContext* c) {
    auto r = Command(c, {"PING"});
    return !r || r->type != REDIS_REPLY_STATUS;
  }
  int64_t Connected() { return InfoInt(admin_.get(), "clients", "connected_clients").value_or(-1); }

  static ProxyProcess* proxy_;
  ProxyProcess::Redis admin_;
};
ProxyProcess* CommandConformanceTest::proxy_ = nullptr;

TEST_F(CommandConformanceTest, SubcommandArityErrorsNameTheSubcommand) {
  // Redis checks a subcommand's arity before running it and names it "container|sub".
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL"}), "ERR wrong number of arguments for 'client|kill' command");
  EXPECT_EQ(ErrorOf({"client", "kill"}), "ERR wrong number of arguments for 'client|kill' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "GETNAME", "x"}),
            "ERR wrong number of arguments for 'client|getname' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "ID", "x"}),
            "ERR wrong number of arguments for 'client|id' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "INFO", "x"}),
            "ERR wrong number of arguments for 'client|info' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "SETNAME"}),
            "ERR wrong number of arguments for 'client|setname' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "SETNAME", "a", "b"}),
            "ERR wrong number of arguments for 'client|setname' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "SETINFO", "LIB-NAME"}),
            "ERR wrong number of arguments for 'client|setinfo' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "NO-EVICT"}),
            "ERR wrong number of arguments for 'client|no-evict' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "HELP", "x"}),
            "ERR wrong number of arguments for 'client|help' command");
  EXPECT_EQ(ErrorOf({"CONFIG", "GET"}), "ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(ErrorOf({"CONFIG", "SET", "timeout"}),
            "ERR wrong number of arguments for 'config|set' command");
  EXPECT_EQ(ErrorOf({"CONFIG", "RESETSTAT", "x"}),
            "ERR wrong number of arguments for 'config|resetstat' command");
  EXPECT_EQ(ErrorOf({"COMMAND", "COUNT", "x"}),
            "ERR wrong number of arguments for 'command|count' command");
  // The container alone, and unknown subcommands, keep their own errors.
  EXPECT_EQ(ErrorOf({"CLIENT"}), "ERR wrong number of arguments for 'client' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "bogus"}), "ERR unknown subcommand 'bogus'. Try CLIENT HELP.");
  // What is well formed still works.
  auto r = Command(admin_.get(), {"CLIENT", "GETNAME"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_NIL);
}

TEST_F(CommandConformanceTest, ClientKillTypeNormalKillsEveryOtherClient) {
  auto a = proxy_->Connect(), b = proxy_->Connect();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(WaitUntil([&] { return Connected() == 3; }, 10s)) << Connected();
  // Every client of this server is a normal one; the caller is spared (SKIPME defaults to yes).
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "TYPE", "normal"}), 2);
  EXPECT_TRUE(Closed(a.get()));
  EXPECT_TRUE(Closed(b.get()));
  EXPECT_FALSE(Closed(admin_.get()));
  EXPECT_TRUE(WaitUntil([&] { return Connected() == 1; }, 10s)) << Connected();
  // There are no replicas, masters or Pub/Sub clients here; the names are Redis's.
  auto c = proxy_->Connect();
  for (const char* type : {"master", "replica", "slave", "pubsub", "NORMAL"}) {
    SCOPED_TRACE(type);
    int64_t want = std::string(type) == "NORMAL" ? 1 : 0;
    EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "TYPE", type}), want);
  }
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "TYPE", "bogus"}), "ERR Unknown client type 'bogus'");
}

TEST_F(CommandConformanceTest, ClientKillUserMatchesTheDefaultUser) {
  auto a = proxy_->Connect();
  ASSERT_TRUE(a);
  // "default" is the only user (requirepass is its password): it matches every client.
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "USER", "default"}), 1);
  EXPECT_TRUE(Closed(a.get()));
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "USER", "nosuch"}), "ERR No such user 'nosuch'");
}

TEST_F(CommandConformanceTest, ClientKillFiltersCombineWithAnd) {
  auto a = proxy_->Connect(), b = proxy_->Connect();
  ASSERT_TRUE(a && b);
  std::string a_id = std::to_string(ClientId(a.get()));
  std::string b_addr = ClientInfoField(b.get(), "addr");
  std::string laddr = ClientInfoField(b.get(), "laddr");
  ASSERT_FALSE(b_addr.empty());
  ASSERT_FALSE(laddr.empty());
  // No client has a's id and b's address.
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "ID", a_id, "ADDR", b_addr}), 0);
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "ADDR", b_addr, "LADDR", laddr, "TYPE", "normal", "USER",
                       "default", "SKIPME", "yes"}),
            1);
  EXPECT_TRUE(Closed(b.get()));
  EXPECT_FALSE(Closed(a.get()));
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "LADDR", laddr}), 1);  // a, not the caller
  EXPECT_TRUE(Closed(a.get()));
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "ID", "0"}), "ERR client-id should be greater than 0");
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "ID", "x"}), "ERR client-id should be greater than 0");
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "SKIPME", "maybe"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "BOGUS", "x"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "ID", "1", "TYPE"}), "ERR syntax error");
}

TEST_F(CommandConformanceTest, ClientKillSkipmeNoKillsTheCallerAfterItsReply) {
  auto me = proxy_->Connect();
  ASSERT_TRUE(me);
  std::string id = std::to_string(ClientId(me.get()));
  auto r = Command(me.get(), {"CLIENT", "KILL", "ID", id, "SKIPME", "no"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(r->integer, 1);
  EXPECT_TRUE(Closed(me.get()));
}

TEST_F(CommandConformanceTest, ClientKillMaxageKillsOnlyClientsOlderThanIt) {
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "MAXAGE", "0"}), "ERR maxage should be greater than 0");
  EXPECT_EQ(ErrorOf({"CLIENT", "KILL", "MAXAGE", "soon"}),
            "ERR maxage is not an integer or out of range");
  auto old = proxy_->Connect();
  ASSERT_TRUE(old);
  std::string id = std::to_string(ClientId(old.get()));
  EXPECT_EQ(IntegerOf({"CLIENT", "KILL", "MAXAGE", "100000"}), 0);
  // Ages count in whole seconds and must exceed MAXAGE: a fresh client is not older than 1 s,
  // and becomes so within a few seconds.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return IntegerOf({"CLIENT", "KILL", "MAXAGE", "1", "ID", id}) == 1;
      },
      10s, 200ms));
  EXPECT_TRUE(Closed(old.get()));
}

}  // namespace
