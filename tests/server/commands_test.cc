// Connection and server commands through hiredis, as Redis clients use them.
#include <gtest/gtest.h>
#include <unistd.h>

#include "proxy_process.h"

namespace {

using test_support::Command;
using test_support::ProxyProcess;

class CommandsTest : public test_support::SharedProxyClientTest {};

TEST_F(CommandsTest, PingEchoCaseInsensitive) {
  auto r = Run({"PING"});
  EXPECT_EQ(r->type, REDIS_REPLY_STATUS);
  EXPECT_STREQ(r->str, "PONG");
  r = Run({"ping", "hi"});
  EXPECT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_STREQ(r->str, "hi");
  r = Run({"eChO", "x y"});
  EXPECT_STREQ(r->str, "x y");
}

TEST_F(CommandsTest, UnknownCommandAndSubcommand) {
  auto r = Run({"nosuch", "a"});
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_STREQ(r->str, "ERR unknown command 'nosuch', with args beginning with: 'a' ");
  r = Run({"client", "bogus"});
  EXPECT_STREQ(r->str, "ERR unknown subcommand 'bogus'. Try CLIENT HELP.");
  r = Run({"echo"});
  EXPECT_STREQ(r->str, "ERR wrong number of arguments for 'echo' command");
}

TEST_F(CommandsTest, HelloSwitchesProtocolAndReportsServer) {
  // Debian 12's hiredis (0.14) cannot read RESP3, so the RESP3 side is checked on the wire.
  int fd = test_support::ConnectRaw(proxy_->port());
  ASSERT_GE(fd, 0);
  // A PING after each request marks where its reply ends.
  test_support::SendAll(fd, "HELLO 3\r\nPING\r\n");
  std::string hello = test_support::ReadUntilEndsWith(fd, "+PONG\r\n");
  EXPECT_EQ(hello.rfind("%7\r\n$6\r\nserver\r\n", 0), 0u) << hello;
  EXPECT_NE(hello.find("$7\r\nversion\r\n"), std::string::npos) << hello;
  EXPECT_NE(hello.find("$5\r\nproto\r\n:3\r\n"), std::string::npos) << hello;
  // RESP3 now: a missing name is RESP3's null.
  test_support::SendAll(fd, "CLIENT GETNAME\r\n");
  EXPECT_EQ(test_support::ReadAtLeast(fd, 3), "_\r\n");
  test_support::SendAll(fd, "HELLO 2\r\nPING\r\n");
  std::string hello2 = test_support::ReadUntilEndsWith(fd, "+PONG\r\n");
  EXPECT_EQ(hello2.rfind("*14\r\n$6\r\nserver\r\n", 0), 0u) << hello2;  // RESP2: a flat array
  close(fd);
  auto r = Run({"HELLO", "2"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(r->elements, 14u);
  EXPECT_STREQ(r->element[0]->str, "server");
  EXPECT_STREQ(r->element[4]->str, "proto");
  EXPECT_EQ(r->element[5]->integer, 2);
}

TEST_F(CommandsTest, HelloRejectsUnknownProtocols) {
  auto r = Run({"HELLO", "4"});
  EXPECT_STREQ(r->str, "NOPROTO unsupported protocol version");
  r = Run({"HELLO", "x"});
  EXPECT_STREQ(r->str, "ERR Protocol version is not an integer or out of range");
  r = Run({"HELLO", "3", "BOGUS"});
  EXPECT_STREQ(r->str, "ERR Syntax error in HELLO option 'BOGUS'");
}

TEST_F(CommandsTest, HelloSetnameAndClientCommands) {
  auto r = Run({"HELLO", "2", "SETNAME", "crawler-1"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  r = Run({"CLIENT", "GETNAME"});
  EXPECT_STREQ(r->str, "crawler-1");
  r = Run({"CLIENT", "SETNAME", "bad name"});
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  r = Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"CLIENT", "SETINFO", "LIB-VER", "8.0.0"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"CLIENT", "ID"});
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
  long long id = r->integer;
  r = Run({"CLIENT", "INFO"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  std::string info = r->str;
  EXPECT_NE(info.find("id=" + std::to_string(id) + " "), std::string::npos);
  EXPECT_NE(info.find("name=crawler-1"), std::string::npos);
  EXPECT_NE(info.find("lib-name=redis-py lib-ver=8.0.0"), std::string::npos);
  r = Run({"CLIENT", "LIST"});
  EXPECT_NE(std::string(r->str).find("name=crawler-1"), std::string::npos);
  r = Run({"CLIENT", "MAINT_NOTIFICATIONS", "on"});
  EXPECT_STREQ(r->str, "OK");
}

// Each CLIENT subcommand is a row of the command table with its own handler: every row answers,
// whatever the case of its name.
TEST_F(CommandsTest, EveryClientSubcommandRowAnswers) {
  auto r = Run({"client", "setname", "rows"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"Client", "GetName"});
  EXPECT_STREQ(r->str, "rows");
  r = Run({"CLIENT", "no-evict", "on"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"CLIENT", "NO-TOUCH", "off"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"CLIENT", "help"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_GT(r->elements, 1u);
  EXPECT_STREQ(r->element[0]->str,
               "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  r = Run({"CLIENT", "KILL", "ID", "999999999"});
  EXPECT_EQ(r->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(r->integer, 0);
  r = Run({"CLIENT", "GETNAMES"});
  EXPECT_STREQ(r->str, "ERR unknown subcommand 'GETNAMES'. Try CLIENT HELP.");
}

TEST_F(CommandsTest, ClientKillById) {
  auto other = proxy_->Connect();
  auto r = Command(other.get(), {"CLIENT", "ID"});
  long long id = r->integer;
  r = Run({"CLIENT", "KILL", "ID", std::to_string(id)});
  EXPECT_EQ(r->integer, 1);
  r = Command(other.get(), {"PING"});
  EXPECT_FALSE(r && r->type == REDIS_REPLY_STATUS);  // the killed connection is gone
  r = Run({"CLIENT", "KILL", "ID", "999999"});
  EXPECT_EQ(r->integer, 0);
  r = Run({"CLIENT", "KILL", "1.2.3.4:5"});
  EXPECT_STREQ(r->str, "ERR No such client");
}

TEST_F(CommandsTest, SelectOnlyZero) {
  EXPECT_STREQ(Run({"SELECT", "0"})->str, "OK");
  EXPECT_STREQ(Run({"SELECT", "1"})->str, "ERR DB index is out of range");
  EXPECT_STREQ(Run({"SELECT", "x"})->str, "ERR value is not an integer or out of range");
}

TEST_F(CommandsTest, AuthWithoutPasswordConfigured) {
  auto r = Run({"AUTH", "x"});
  EXPECT_STREQ(r->str,
               "ERR AUTH <password> called without any password configured for the default "
               "user. Are you sure your configuration is correct?");
}

TEST_F(CommandsTest, CommandIntrospection) {
  auto r = Run({"COMMAND", "COUNT"});
  ASSERT_EQ(r->type, REDIS_REPLY_INTEGER);
  long long count = r->integer;
  EXPECT_GE(count, 20);
  r = Run({"COMMAND"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_EQ(static_cast<long long>(r->elements), count);
  r = Run({"COMMAND", "INFO", "get", "nosuch"});
  ASSERT_EQ(r->elements, 2u);
  ASSERT_EQ(r->element[0]->type, REDIS_REPLY_ARRAY);
  EXPECT_STREQ(r->element[0]->element[0]->str, "get");
  EXPECT_EQ(r->element[0]->element[1]->integer, 2);
  EXPECT_EQ(r->element[1]->type, REDIS_REPLY_NIL);
  r = Run({"COMMAND", "DOCS", "get"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);  // RESP2 map
  ASSERT_EQ(r->elements, 2u);
  EXPECT_STREQ(r->element[0]->str, "get");
  r = Run({"COMMAND", "LIST"});
  EXPECT_EQ(static_cast<long long>(r->elements), count);
}

TEST_F(CommandsTest, ConfigGetAndSet) {
  auto r = Run({"CONFIG", "GET", "save"});
  ASSERT_EQ(r->elements, 2u);
  EXPECT_STREQ(r->element[0]->str, "save");
  EXPECT_STREQ(r->element[1]->str, "");
  r = Run({"CONFIG", "GET", "appendonly"});
  EXPECT_STREQ(r->element[1]->str, "no");
  r = Run({"CONFIG", "GET", "ttl-*"});
  EXPECT_EQ(r->elements, 6u);
  r = Run({"CONFIG", "SET", "maxclients", "77"});
  EXPECT_STREQ(r->str, "OK");
  r = Run({"CONFIG", "GET", "maxclients"});
  EXPECT_STREQ(r->element[1]->str, "77");
  r = Run({"CONFIG", "SET", "port", "1"});
  EXPECT_EQ(r->type, REDIS_REPLY_ERROR);
  r = Run({"CONFIG", "SET", "nosuch", "1"});
  EXPECT_STREQ(r->str, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  r = Run({"CONFIG", "SET", "maxclients", "-5"});
  EXPECT_EQ(std::string(r->str).rfind("ERR CONFIG SET failed (possibly related to argument "
                                      "'maxclients')",
                                      0),
            0u);
  Run({"CONFIG", "SET", "maxclients", "10000"});
}

TEST_F(CommandsTest, InfoHasRedisFieldsAndOurSection) {
  auto r = Run({"INFO"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  std::string info = r->str;
  EXPECT_NE(info.find("redis_version:7.2"), std::string::npos);
  EXPECT_NE(info.find("loading:0"), std::string::npos);
  EXPECT_NE(info.find("# Keyspace"), std::string::npos);
  EXPECT_NE(info.find("# Whois"), std::string::npos);
  EXPECT_NE(info.find("connected_clients:"), std::string::npos);
  r = Run({"INFO", "server"});
  EXPECT_EQ(std::string(r->str).find("# Clients"), std::string::npos);
  r = Run({"INFO", "nosuchsection"});
  EXPECT_EQ(r->type, REDIS_REPLY_STRING);  // never an error
  // RESP3: a verbatim string (checked on the wire: Debian's hiredis cannot read RESP3).
  int fd = test_support::ConnectRaw(proxy_->port());
  ASSERT_GE(fd, 0);
  // A PING after each request marks where its reply ends.
  test_support::SendAll(fd, "HELLO 3\r\nPING\r\n");
  test_support::ReadUntilEndsWith(fd, "+PONG\r\n");
  test_support::SendAll(fd, "INFO server\r\nPING\r\n");
  std::string verbatim = test_support::ReadUntilEndsWith(fd, "+PONG\r\n");
  EXPECT_EQ(verbatim[0], '=') << verbatim;
  EXPECT_NE(verbatim.find("\r\ntxt:# Server"), std::string::npos) << verbatim;
  close(fd);
}

TEST_F(CommandsTest, QuitClosesAfterOk) {
  auto r = Run({"QUIT"});
  EXPECT_STREQ(r->str, "OK");
  r = Command(c_.get(), {"PING"});
  EXPECT_FALSE(r && r->type == REDIS_REPLY_STATUS);
}

TEST(ServerAuth, OnlyAuthHelloAndQuitBeforeAuthentication) {
  ProxyProcess proxy({"--requirepass", "pw"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  EXPECT_STREQ(Command(c.get(), {"PING"})->str, "NOAUTH Authentication required.");
  EXPECT_STREQ(Command(c.get(), {"GET", "example.com"})->str, "NOAUTH Authentication required.");
  EXPECT_EQ(std::string(Command(c.get(), {"HELLO", "3"})->str).rfind("NOAUTH HELLO must be", 0),
            0u);
  EXPECT_STREQ(Command(c.get(), {"AUTH", "wrong"})->str,
               "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_STREQ(Command(c.get(), {"AUTH", "pw"})->str, "OK");
  EXPECT_STREQ(Command(c.get(), {"PING"})->str, "PONG");

  auto c2 = proxy.Connect();
  auto r = Command(c2.get(), {"HELLO", "2", "AUTH", "default", "pw"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  EXPECT_STREQ(Command(c2.get(), {"PING"})->str, "PONG");
  auto c3 = proxy.Connect();
  EXPECT_STREQ(Command(c3.get(), {"AUTH", "default", "pw"})->str, "OK");
  EXPECT_EQ(proxy.log().find("pw\n"), std::string::npos);
}

TEST(ServerLimits, MaxClientsRefusesWithRedisError) {
  ProxyProcess proxy({"--maxclients", "2"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  // Start()'s readiness probe may still hold a slot for a moment after it closed: retry until
  // two clients are in.
  auto connect_admitted = [&proxy] {
    ProxyProcess::Redis conn;
    test_support::WaitUntil([&] {
      conn = proxy.Connect();
      auto pong = Command(conn.get(), {"PING"});
      return pong && pong->type == REDIS_REPLY_STATUS;
    });
    return conn;
  };
  auto a = connect_admitted();
  auto b = connect_admitted();
  ASSERT_TRUE(a && b);
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  auto r = Command(c.get(), {"PING"});
  ASSERT_TRUE(r);
  EXPECT_STREQ(r->str, "ERR max number of clients reached");
}

TEST(ServerStartup, ConfigErrorStopsStartWithFileAndLine) {
  test_support::TempDir dir;
  std::string path = dir.path() + "/proxy.conf";
  FILE* f = fopen(path.c_str(), "w");
  fputs("port 7999\nmaxclients lots\n", f);
  fclose(f);
  ProxyProcess proxy({path});
  EXPECT_FALSE(proxy.Start());
  EXPECT_NE(
      proxy.log().find("Reading the configuration file '" + path +
                       "', at line 2\n>>> 'maxclients lots'\n'maxclients' must be an integer"),
      std::string::npos)
      << proxy.log();
}

TEST(ServerStartup, ProtectedModeRefusesPublicBindWithoutPassword) {
  ProxyProcess proxy({"--bind", "0.0.0.0"});
  EXPECT_FALSE(proxy.Start());
  EXPECT_NE(proxy.log().find("protected mode"), std::string::npos) << proxy.log();
}

TEST(ServerStartup, VersionAndHelp) {
  std::string out;
  EXPECT_EQ(test_support::RunShell(std::string(WP_PROXY_BINARY_FOR_TESTS) + " --version", &out), 0);
  EXPECT_NE(out.find("whois-proxy v="), std::string::npos);
  out.clear();
  EXPECT_EQ(test_support::RunShell(std::string(WP_PROXY_BINARY_FOR_TESTS) + " --help", &out), 0);
  EXPECT_NE(out.find("--requirepass"), std::string::npos);
}

TEST(ServerShutdown, SigtermExitsCleanly) {
  ProxyProcess proxy;
  ASSERT_TRUE(proxy.Start());
  auto c = proxy.Connect();
  EXPECT_STREQ(Command(c.get(), {"PING"})->str, "PONG");
  EXPECT_EQ(proxy.Stop(), 0);
  EXPECT_NE(proxy.log().find("bye"), std::string::npos);
}

}  // namespace
