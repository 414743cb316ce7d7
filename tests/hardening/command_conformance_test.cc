// Commands as Redis 7 answers them, where a client or an operator tool relies on the exact
// behaviour: CLIENT KILL's filters, the arity errors of subcommands, and CONFIG SET's
// validation (issue 14, items 8 and 9).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy_probe.h"
#include "proxy_process.h"
#include "server/version.h"

namespace {

using hardening::InfoInt;
using hardening::WaitUntil;
using test_support::Command;
using test_support::ProxyProcess;
using namespace std::chrono_literals;

// c_ is the test's admin connection.
class CommandConformanceTest : public test_support::SharedProxyClientTest {
 protected:
  void TearDown() override {
    // Leave no connection of this test behind for the next one's counts.
    Command(c_.get(), {"CLIENT", "KILL", "TYPE", "normal"});
  }
  // The error text of `argv`, or "(not an error)".
  std::string ErrorOf(const std::vector<std::string>& argv) {
    auto r = Command(c_.get(), argv);
    if (!r) return "(no reply)";
    if (r->type != REDIS_REPLY_ERROR) return "(not an error)";
    return std::string(r->str, r->len);
  }
  int64_t IntegerOf(const std::vector<std::string>& argv) {
    auto r = Command(c_.get(), argv);
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
  int64_t Connected() { return InfoInt(c_.get(), "clients", "connected_clients").value_or(-1); }
};

TEST_F(CommandConformanceTest, SubcommandArityErrorsNameTheSubcommand) {
  // Redis checks a subcommand's arity before running it and names it "container|sub".
  struct Case {
    std::vector<std::string> argv;
    const char* name;  // as the error names it
  };
  const Case cases[] = {
      {{"CLIENT", "KILL"}, "client|kill"},
      {{"client", "kill"}, "client|kill"},
      {{"CLIENT", "GETNAME", "x"}, "client|getname"},
      {{"CLIENT", "ID", "x"}, "client|id"},
      {{"CLIENT", "INFO", "x"}, "client|info"},
      {{"CLIENT", "SETNAME"}, "client|setname"},
      {{"CLIENT", "SETNAME", "a", "b"}, "client|setname"},
      {{"CLIENT", "SETINFO", "LIB-NAME"}, "client|setinfo"},
      {{"CLIENT", "NO-EVICT"}, "client|no-evict"},
      {{"CLIENT", "HELP", "x"}, "client|help"},
      {{"CONFIG", "GET"}, "config|get"},
      {{"CONFIG", "SET", "timeout"}, "config|set"},
      {{"CONFIG", "RESETSTAT", "x"}, "config|resetstat"},
      {{"COMMAND", "COUNT", "x"}, "command|count"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(ErrorOf(c.argv),
              std::string("ERR wrong number of arguments for '") + c.name + "' command");
  // The container alone, and unknown subcommands, keep their own errors.
  EXPECT_EQ(ErrorOf({"CLIENT"}), "ERR wrong number of arguments for 'client' command");
  EXPECT_EQ(ErrorOf({"CLIENT", "bogus"}), "ERR unknown subcommand 'bogus'. Try CLIENT HELP.");
  // What is well formed still works.
  auto r = Command(c_.get(), {"CLIENT", "GETNAME"});
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
  EXPECT_FALSE(Closed(c_.get()));
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

namespace {

// The value CONFIG GET gives for one directive.
std::string ConfigValue(redisContext* c, const std::string& name) {
  auto r = Command(c, {"CONFIG", "GET", name});
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return "(none)";
  return std::string(r->element[1]->str, r->element[1]->len);
}

// CONFIG SET's error when it refuses `directive` for `reason`, in Redis's words.
std::string ConfigSetFailed(const std::string& directive, const std::string& reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + directive + "') - " + reason;
}

TEST_F(CommandConformanceTest, ConfigSetRefusesADuplicateParameterAndChangesNothing) {
  std::string before = ConfigValue(c_.get(), "timeout");
  EXPECT_EQ(ErrorOf({"CONFIG", "SET", "timeout", "5", "timeout", "6"}),
            ConfigSetFailed("timeout", "duplicate parameter"));
  EXPECT_EQ(ErrorOf({"CONFIG", "SET", "maxclients", "900", "TIMEOUT", "5", "timeout", "6"}),
            ConfigSetFailed("timeout", "duplicate parameter"));
  EXPECT_EQ(ConfigValue(c_.get(), "timeout"), before);
  EXPECT_EQ(ConfigValue(c_.get(), "maxclients"), "10000");
}

TEST_F(CommandConformanceTest, ConfigSetRefusesLimitsThatContradictEachOther) {
  // Defaults: soft 1mb, hard 64mb, query buffer 32mb, bulk 8mb.
  struct Case {
    const char* directive;
    const char* value;
    const char* reason;
  };
  const Case cases[] = {
      {"client-output-buffer-soft", "128mb",
       "client-output-buffer-soft (134217728) must not be above client-output-buffer-hard "
       "(67108864)"},
      {"client-output-buffer-hard", "512kb",
       "client-output-buffer-soft (1048576) must not be above client-output-buffer-hard (524288)"},
      {"proto-max-bulk-len", "64mb",
       "proto-max-bulk-len (67108864) must not be above client-query-buffer-limit (33554432)"},
      {"client-query-buffer-limit", "4mb",
       "proto-max-bulk-len (8388608) must not be above client-query-buffer-limit (4194304)"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(ErrorOf({"CONFIG", "SET", c.directive, c.value}),
              ConfigSetFailed(c.directive, c.reason));
  EXPECT_EQ(ConfigValue(c_.get(), "client-output-buffer-soft"), "1048576");
  EXPECT_EQ(ConfigValue(c_.get(), "proto-max-bulk-len"), "8388608");
  // Both sides at once is one consistent change.
  auto r = Command(c_.get(), {"CONFIG", "SET", "client-output-buffer-hard", "256mb",
                              "client-output-buffer-soft", "128mb"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS) << (r->str ? r->str : "");
  r = Command(c_.get(), {"CONFIG", "SET", "client-output-buffer-soft", "1mb",
                         "client-output-buffer-hard", "64mb"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS) << (r->str ? r->str : "");
}

TEST_F(CommandConformanceTest, WhoisLimitsRefusesAnInvalidHost) {
  const std::string why =
      "ERR invalid upstream host '' (a host name such as whois.nic.uk, or an IP "
      "address)";
  EXPECT_EQ(ErrorOf({"WHOIS.LIMITS", "", "concurrency", "1"}), why);
  EXPECT_EQ(ErrorOf({"WHOIS.LIMITS", "", "RESET"}), why);
  EXPECT_EQ(ErrorOf({"WHOIS.LIMITS", ""}), why);
  EXPECT_EQ(ErrorOf({"WHOIS.LIMITS", "two words", "concurrency", "1"}),
            "ERR invalid upstream host 'two words' (a host name such as whois.nic.uk, or an IP "
            "address)");
  EXPECT_EQ(ErrorOf({"WHOIS.LIMITS", "a\r\nb", "concurrency", "1"}),
            "ERR invalid upstream host 'a  b' (a host name such as whois.nic.uk, or an IP "
            "address)");
  // No host was recorded by the refused calls.
  auto r = Command(c_.get(), {"WHOIS.LIMITS"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* host = r->element[i]->element[1];
    EXPECT_NE(std::string(host->str, host->len), "");
  }
  // Host names and addresses are accepted.
  for (const char* host : {"whois.nic.test", "WHOIS.Example.COM.", "192.0.2.7", "2001:db8::7"}) {
    SCOPED_TRACE(host);
    r = Command(c_.get(), {"WHOIS.LIMITS", host, "concurrency", "1"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, REDIS_REPLY_STATUS) << (r->str ? r->str : "");
    Command(c_.get(), {"WHOIS.LIMITS", host, "RESET"});
  }
}

// Reading a host's limits records nothing: any client may ask about any name, and the proxy
// must not keep state for each (WHOIS.LIMITS without arguments lists the hosts it has seen).
TEST_F(CommandConformanceTest, ReadingAHostsLimitsKeepsNothingForIt) {
  auto hosts = [&] {
    std::vector<std::string> out;
    auto r = Command(c_.get(), {"WHOIS.LIMITS"});
    if (!r || r->type != REDIS_REPLY_ARRAY) return out;
    for (size_t i = 0; i < r->elements; ++i)
      out.emplace_back(r->element[i]->element[1]->str, r->element[i]->element[1]->len);
    return out;
  };
  const std::vector<std::string> before = hosts();
  for (int i = 0; i < 50; ++i) {
    std::string host = "never-seen-" + std::to_string(i) + ".example";
    auto r = Command(c_.get(), {"WHOIS.LIMITS", host});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << (r->str ? r->str : "");  // a map, as RESP2
    EXPECT_EQ(std::string(r->element[1]->str, r->element[1]->len), host);
    EXPECT_EQ(std::string(r->element[3]->str, r->element[3]->len), "concurrency 2 rate 1/s");
  }
  EXPECT_EQ(hosts(), before);
}

// What the proxy prints when its configuration is refused: the whole text, as redis-server
// lays it out (a blank line, the banner, where, the line itself, the reason), every line ended.
TEST(ConfigErrors, FatalConfigErrorTextIsRedisShapedAndEndsWithANewline) {
  test_support::TempDir dir;
  std::string path = dir.WriteFile("bad.conf", "# a comment\nport 7100\nfrobnicate yes\n");
  ProxyProcess bad_file({path});
  ASSERT_FALSE(bad_file.Start());
  const std::string banner =
      std::string("\n*** FATAL CONFIG ERROR (whois-proxy ") + server::kProxyVersion + ") ***\n";
  EXPECT_EQ(bad_file.log(), banner + "Reading the configuration file '" + path +
                                "', at line 3\n>>> 'frobnicate yes'\nunknown directive "
                                "'frobnicate'\n");

  ProxyProcess bad_flag({"--tcp-keepalive", "forever"});
  ASSERT_FALSE(bad_flag.Start());
  EXPECT_EQ(bad_flag.log(), banner +
                                "Reading the command line\n>>> '--tcp-keepalive forever'\n"
                                "'tcp-keepalive' must be an integer from 0 to 7200\n");

  // Limits that contradict each other are refused at start-up too.
  ProxyProcess contradiction({"--client-output-buffer-soft", "128mb"});
  ASSERT_FALSE(contradiction.Start());
  EXPECT_EQ(contradiction.log(), banner +
                                     "client-output-buffer-soft (134217728) must not be above "
                                     "client-output-buffer-hard (67108864)\n");
  ProxyProcess bad_limit({"--upstream-limit", "", "concurrency", "1"});
  ASSERT_FALSE(bad_limit.Start());
  EXPECT_EQ(bad_limit.log(),
            banner +
                "Reading the command line\n>>> '--upstream-limit \"\" concurrency 1'\n"
                "'upstream-limit' invalid upstream host '' (a host name such as whois.nic.uk, "
                "or an IP address)\n");
}

}  // namespace
