// Security: nothing before AUTH, no password in the log, protected mode, and client bytes that
// must never reach an upstream query or break a reply.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using fake_whois::IanaTldAnswer;
using test_support::Command;
using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::ReadAtLeast;
using test_support::ReadUntilClose;
using test_support::ReadUntilEndsWith;
using test_support::RespCommand;
using test_support::SendAll;

// Long, distinctive passwords: a grep for them in the log cannot hit an unrelated word.
const std::string kPassword = "pw-Hardening-S3cret";
const std::string kWrongPassword = "pw-Wrong-Guess-77";
const std::string kNewPassword = "pw-Rotated-Secret-99";

TEST(Auth, NothingButAuthHelloAndQuitWorksBeforeAuthentication) {
  ProxyProcess proxy({"--requirepass", kPassword, "--loglevel", "debug"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  const std::vector<std::vector<std::string>> commands = {
      {"PING"},
      {"ECHO", "x"},
      {"GET", "a.test"},
      {"MGET", "a.test", "b.test"},
      {"EXISTS", "a.test"},
      {"TTL", "a.test"},
      {"PTTL", "a.test"},
      {"DEL", "a.test"},
      {"SET", "a.test", hardening::RecordJson("a.test")},
      {"SCAN", "0"},
      {"DBSIZE"},
      {"FLUSHDB"},
      {"FLUSHALL"},
      {"SELECT", "0"},
      {"CLIENT", "ID"},
      {"CLIENT", "LIST"},
      {"COMMAND"},
      {"CONFIG", "GET", "requirepass"},
      {"CONFIG", "SET", "requirepass", ""},
      {"INFO"},
      {"TIME"},
      {"WHOIS.LOOKUP", "a.test"},
      {"WHOIS.RAW", "a.test"},
      {"WHOIS.SERVER", "test"},
      {"WHOIS.LIMITS"},
  };
  int fd = ConnectRaw(proxy.port());
  ASSERT_GE(fd, 0);
  std::string batch, want;
  for (const auto& argv : commands) {
    batch += RespCommand(argv);
    want += "-NOAUTH Authentication required.\r\n";
  }
  SendAll(fd, batch);
  std::string got = ReadAtLeast(fd, want.size());
  EXPECT_EQ(got, want);
  // HELLO without AUTH, and wrong passwords, are refused with Redis 7's texts.
  std::string hello_noauth =
      "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
      "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
      "RESP protocol version at the same time\r\n";
  std::string wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
  SendAll(fd, RespCommand({"HELLO", "3"}) + RespCommand({"AUTH", kWrongPassword}) +
                  RespCommand({"AUTH", "default", kWrongPassword}) +
                  RespCommand({"HELLO", "3", "AUTH", "default", kWrongPassword}) +
                  RespCommand({"PING"}));
  want = hello_noauth + wrongpass + wrongpass + wrongpass + "-NOAUTH Authentication required.\r\n";
  EXPECT_EQ(ReadAtLeast(fd, want.size()), want);
  // The right password opens the connection.
  SendAll(fd, RespCommand({"AUTH", kPassword}) + RespCommand({"PING"}));
  EXPECT_EQ(ReadAtLeast(fd, 12), "+OK\r\n+PONG\r\n");
  close(fd);

  // QUIT works unauthenticated and closes.
  fd = ConnectRaw(proxy.port());
  SendAll(fd, RespCommand({"QUIT"}) + RespCommand({"PING"}));
  EXPECT_EQ(ReadUntilClose(fd), "+OK\r\n");
  close(fd);

  // HELLO ... AUTH authenticates and switches protocol in one step.
  fd = ConnectRaw(proxy.port());
  // A PING after it marks where the HELLO map ends.
  SendAll(fd, RespCommand({"HELLO", "3", "AUTH", "default", kPassword}) + RespCommand({"PING"}));
  std::string hello = ReadUntilEndsWith(fd, "+PONG\r\n");
  ASSERT_FALSE(hello.empty());
  EXPECT_EQ(hello[0], '%') << hello;
  SendAll(fd, RespCommand({"PING"}));
  EXPECT_EQ(ReadAtLeast(fd, 7), "+PONG\r\n");
  // An authenticated client may read the password (as in Redis) and change it.
  SendAll(fd, RespCommand({"CONFIG", "SET", "requirepass", kNewPassword}));
  EXPECT_EQ(ReadAtLeast(fd, 5), "+OK\r\n");
  close(fd);
  fd = ConnectRaw(proxy.port());
  SendAll(fd, RespCommand({"AUTH", kPassword}) + RespCommand({"AUTH", kNewPassword}));
  EXPECT_EQ(ReadAtLeast(fd, wrongpass.size() + 5), wrongpass + "+OK\r\n");
  close(fd);

  // Nothing above may have put a password into the log, at any level.
  EXPECT_TRUE(proxy.Stop() >= 0);
  std::string log = proxy.log();
  for (const auto& secret : {kPassword, kWrongPassword, kNewPassword})
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds " << secret << ":\n" << log;
}

// Protected mode. 192.0.2.1 and 2001:db8::1 are documentation addresses this host does not
// have, so even a proxy that wrongly started could not listen on anything but 127.0.0.1.
// protected-mode is a runtime directive: CONFIG SET changes it for the next connection, which
// from loopback is still served (the refusal of outside clients is decided by
// ProtectedModeRefuses, unit-tested in server_unit_test: tests reach the proxy only over
// loopback).
TEST(ProtectedMode, ConfigSetAtRuntimeKeepsLoopbackClientsServed) {
  ProxyProcess proxy({"--protected-mode", "no"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto admin = proxy.Connect();
  ASSERT_TRUE(admin);
  auto r = Command(admin.get(), {"CONFIG", "SET", "protected-mode", "yes"});
  ASSERT_EQ(r->type, REDIS_REPLY_STATUS) << (r->str ? r->str : "");
  r = Command(admin.get(), {"CONFIG", "GET", "protected-mode"});
  ASSERT_EQ(r->elements, 2u);
  EXPECT_STREQ(r->element[1]->str, "yes");
  auto next = proxy.Connect();
  ASSERT_TRUE(next);
  EXPECT_STREQ(Command(next.get(), {"PING"})->str, "PONG");
}

TEST(ProtectedMode, PublicBindWithoutPasswordRefusesToStart) {
  for (const char* addr : {"192.0.2.1", "2001:db8::1"}) {
    ProxyProcess refused({"--bind", "127.0.0.1", addr});
    EXPECT_FALSE(refused.Start()) << addr << " was accepted without a password";
    EXPECT_NE(refused.log().find("protected mode"), std::string::npos) << refused.log();
  }
  ProxyProcess opted_out({"--bind", "127.0.0.1", "192.0.2.1", "--protected-mode", "no"});
  ASSERT_TRUE(opted_out.Start()) << opted_out.log();
  auto c = opted_out.Connect();
  ASSERT_TRUE(c);
  EXPECT_STREQ(Command(c.get(), {"PING"})->str, "PONG");
  ProxyProcess with_password({"--bind", "127.0.0.1", "192.0.2.1", "--requirepass", kPassword});
  EXPECT_TRUE(with_password.Start()) << with_password.log();
}

bool IsPlainQuery(const std::string& q) {
  if (q.empty()) return false;
  for (unsigned char ch : q)
    if (!(std::isalnum(ch) || ch == '.' || ch == '-')) return false;
  return true;
}

TEST(HostileNames, ControlBytesInANameNeverReachAnUpstreamQuery) {
  FakeWhoisProcess iana;
  iana.AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
  FakeWhoisProcess registry;
  registry.SetDefaultResponse("Domain Name: {QUERY}\r\nRegistrar: Example\r\n");
  ASSERT_TRUE(iana.Start()) << iana.error();
  ASSERT_TRUE(registry.Start()) << registry.error();
  ProxyProcess proxy({"--bundled-directory", "no", "--upstream-address", "whois.iana.org",
                      "127.0.0.1:" + std::to_string(iana.port()), "--upstream-address",
                      "whois.nic.test", "127.0.0.1:" + std::to_string(registry.port()),
                      "--upstream-limit", "whois.nic.test", "concurrency", "8", "rate", "100/s",
                      "--lookup-timeout", "2000"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  // A well-formed name first, so the chain is known to work and the logs are not empty.
  auto ok = Command(c.get(), {"GET", "fine.test"});
  ASSERT_TRUE(ok);
  ASSERT_NE(std::string(ok->str, ok->len).find("\"registered\""), std::string::npos) << ok->str;

  const std::vector<std::string> hostile = {
      "a\r\nb.test",
      "evil.test\r\nother.test",
      "a b.test",
      "a\tb.test",
      "a\x01"
      "b.test",
      std::string("a\0b.test", 8),
      "a\x7f"
      "b.test",
      "a\x1b[31mb.test",
      "a\vb.test",
      "a\fb.test",
      "x.test\r\n",
      "\r\nx.test",
      "x.test\n",
      "http://a b.test/",
      "http://a\r\nb.test/",
      "a%0d%0ab.test",
      "test\r\nwhois.evil",
      "\r\n",
  };
  for (const auto& name : hostile) {
    for (const char* cmd : {"GET", "WHOIS.LOOKUP", "MGET", "EXISTS", "WHOIS.RAW"}) {
      auto r = Command(c.get(), {cmd, name});
      ASSERT_TRUE(r) << cmd << " of a hostile name broke the connection: " << c->errstr;
    }
    auto server = Command(c.get(), {"WHOIS.SERVER", name});
    ASSERT_TRUE(server) << c->errstr;
    // The connection stays in step: the next reply is the next command's.
    auto ping = Command(c.get(), {"PING"});
    ASSERT_TRUE(ping);
    ASSERT_STREQ(ping->str, "PONG");
  }
  proxy.Stop();
  iana.Stop();
  registry.Stop();
  for (const auto* f : {&iana, &registry}) {
    auto log = f->ReadLog();
    EXPECT_FALSE(log.empty());
    for (const auto& e : log)
      EXPECT_TRUE(IsPlainQuery(e.query)) << "an upstream received the query '" << e.query << "'";
  }
}

// An error reply that quotes a client's argument must still be one line: a CR LF inside the
// argument must not end the error early and forge a second reply (here "+OK").
TEST(HostileNames, ErrorRepliesQuotingAnArgumentStayOneLine) {
  ProxyProcess proxy;
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  const std::string forged = "a\r\n+OK\r\nb.test";
  const std::vector<std::vector<std::string>> commands = {
      {"SET", forged, hardening::RecordJson("b.test")},
      {"SET", "ok.test", R"({"domain":"a\r\n+OK\r\nb.test","status":"registered"})"},
      {"SET", "ok.test", R"({"domain":"ok.test","status":"x\r\n+OK\r\ny"})"},
      {"WHOIS.SERVER", forged},
      {"WHOIS.LIMITS", "whois.nic.test", "rate\r\n+OK\r\n"},
      {"CONFIG", "SET", forged, "1"},
      {"HELLO", "2", forged},
      {"CLIENT", "SETINFO", forged, "x"},
  };
  for (const auto& argv : commands) {
    int fd = ConnectRaw(proxy.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, RespCommand(argv) + RespCommand({"PING"}));
    std::string got = ReadUntilEndsWith(fd, "+PONG\r\n");
    close(fd);
    std::string label = argv[0] + " " + argv[1];
    ASSERT_TRUE(got.ends_with("+PONG\r\n")) << label << ": " << got;
    std::string first = got.substr(0, got.size() - 7);
    EXPECT_TRUE(first.starts_with("-ERR ")) << label << ": " << first;
    EXPECT_EQ(first.find("\r\n"), first.size() - 2)
        << label << ": the error reply was split into several replies: " << first;
  }
}

// The reply's text (status, error or bulk), or "(no reply)".
std::string TextOf(redisContext* c, const std::vector<std::string>& argv) {
  auto r = Command(c, argv);
  if (!r) return "(no reply)";
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  if (r->str == nullptr) return "(type " + std::to_string(r->type) + ")";
  return std::string(r->str, r->len);
}

// Without requirepass any client can raise upstream limits (WHOIS.LIMITS), change CONFIG or
// flush the cache. As in Redis, the operator disables or hides such commands with
// `rename-command NAME NEWNAME` ("" disables), in the config file or on the command line.
TEST(RenameCommand, DisabledAndRenamedAdministrativeCommands) {
  test_support::TempDir dir;
  const std::string secret = "b840fc02d524045429941cc15f59e41cb7be6c52";  // longer than any name
  std::string path = dir.WriteFile("proxy.conf",
                                   "flush-enabled yes\n"
                                   "rename-command WHOIS.LIMITS \"\"\n"
                                   "rename-command flushall \"\"\n"
                                   "rename-command CONFIG " +
                                       secret + "\n");
  ProxyProcess proxy({path, "--rename-command", "whois.lookup", ""});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  EXPECT_EQ(TextOf(c.get(), {"WHOIS.LIMITS", "whois.nic.test", "concurrency", "100"}),
            "ERR unknown command 'WHOIS.LIMITS', with args beginning with: 'whois.nic.test' "
            "'concurrency' '100' ");
  EXPECT_EQ(TextOf(c.get(), {"whois.limits"}),
            "ERR unknown command 'whois.limits', with args beginning with: ");
  EXPECT_EQ(TextOf(c.get(), {"FLUSHALL"}),
            "ERR unknown command 'FLUSHALL', with args beginning with: ");
  EXPECT_EQ(TextOf(c.get(), {"WHOIS.LOOKUP", "a.test"}),
            "ERR unknown command 'WHOIS.LOOKUP', with args beginning with: 'a.test' ");
  EXPECT_EQ(TextOf(c.get(), {"CONFIG", "SET", "lookup-timeout", "1"}),
            "ERR unknown command 'CONFIG', with args beginning with: 'SET' 'lookup-timeout' '1' ");
  // The new name works, in any case, with the command's own subcommands and errors.
  EXPECT_EQ(TextOf(c.get(), {secret, "SET", "lookup-timeout", "1234"}), "OK");
  auto got =
      Command(c.get(), {"B840FC02D524045429941CC15F59E41CB7BE6C52", "GET", "lookup-timeout"});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(got->elements, 2u);
  EXPECT_STREQ(got->element[1]->str, "1234");
  EXPECT_EQ(TextOf(c.get(), {secret, "GET"}),
            "ERR wrong number of arguments for 'config|get' command");
  // What is not renamed is untouched; FLUSHDB still flushes.
  EXPECT_EQ(TextOf(c.get(), {"FLUSHDB"}), "OK");
  EXPECT_EQ(TextOf(c.get(), {"PING"}), "PONG");
  // COMMAND no longer lists the disabled commands, nor reveals the new name.
  auto list = Command(c.get(), {"COMMAND", "LIST"});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->type, REDIS_REPLY_ARRAY);
  std::vector<std::string> names;
  for (size_t i = 0; i < list->elements; ++i) names.emplace_back(list->element[i]->str);
  for (const char* gone : {"whois.limits", "flushall", "whois.lookup"})
    EXPECT_EQ(std::count(names.begin(), names.end(), gone), 0) << gone;
  EXPECT_EQ(std::count(names.begin(), names.end(), secret), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "flushdb"), 1);
  EXPECT_EQ(TextOf(c.get(), {"COMMAND", "COUNT"}), std::to_string(names.size()));
  // CONFIG GET does not show the renames (the new names are secrets).
  auto all = Command(c.get(), {secret, "GET", "*"});
  ASSERT_TRUE(all);
  for (size_t i = 0; i < all->elements; ++i) {
    std::string item(all->element[i]->str, all->element[i]->len);
    EXPECT_EQ(item.find("rename"), std::string::npos) << item;
    EXPECT_EQ(item.find(secret), std::string::npos) << item;
  }
}

TEST(RenameCommand, UnknownOrCollidingNamesStopStartUp) {
  ProxyProcess unknown({"--rename-command", "NOSUCH", "x"});
  ASSERT_FALSE(unknown.Start());
  EXPECT_NE(unknown.log().find(">>> '--rename-command NOSUCH x'\n'rename-command' No such "
                               "command in rename-command\n"),
            std::string::npos)
      << unknown.log();
  ProxyProcess collision({"--rename-command", "GET", "ping"});
  ASSERT_FALSE(collision.Start());
  EXPECT_NE(collision.log().find("'rename-command' Target command name already exists\n"),
            std::string::npos)
      << collision.log();
  test_support::TempDir dir;
  std::string path =
      dir.WriteFile("proxy.conf", "rename-command CONFIG \"\"\nrename-command CONFIG other\n");
  ProxyProcess twice({path});
  ASSERT_FALSE(twice.Start());
  EXPECT_NE(twice.log().find("at line 2\n>>> 'rename-command CONFIG other'\n'rename-command' No "
                             "such command in rename-command\n"),
            std::string::npos)
      << twice.log();
}

// How many raw replies WHOIS.RAW holds for `domain` (-1 if none).
int64_t RawHops(redisContext* c, const std::string& domain) {
  auto r = Command(c, {"WHOIS.RAW", domain});
  if (!r || r->type != REDIS_REPLY_ARRAY) return -1;
  return static_cast<int64_t>(r->elements);
}

// A host name that resolves to a NAT64 address reaches the IPv4 address inside it: 64:ff9b::7f00:1
// is 127.0.0.1 wherever DNS64/NAT64 runs. It is refused as ::ffff:127.0.0.1 is, before any
// connection is tried (the same check runs on every DNS answer; here the address is given as
// the TLD's server so that no DNS is needed).
TEST(UpstreamAddresses, Nat64AddressesEmbeddingLoopbackAreNeverConnectedTo) {
  for (const char* address : {"64:ff9b::7f00:1", "64:ff9b:1::a00:1", "2002:7f00:1::1"}) {
    SCOPED_TRACE(address);
    ProxyProcess proxy({"--bundled-directory", "no", "--upstream-address", "whois.iana.org",
                        "127.0.0.1:1", "--tld-server", "test", address, "--loglevel", "debug",
                        "--lookup-timeout", "3000"});
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    auto r = Command(c.get(), {"GET", "victim.test"});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    EXPECT_NE(std::string(r->str, r->len).find("\"fallback\""), std::string::npos) << r->str;
    proxy.Stop();
    std::string log = proxy.log();
    EXPECT_NE(log.find(std::string("whois ") + address + " via -: forbidden_address"),
              std::string::npos)
        << log;
  }
}

// A referral's "host:port" comes from upstream data: another port is honoured only for a host
// the operator pinned with upstream-address; an unpinned host is only ever asked on port 43,
// so a registry cannot point the proxy at another service (a referral naming another port is
// not followed, and the record keeps the registry's data).
TEST(Referrals, APortFromUpstreamDataIsHonouredOnlyForPinnedHosts) {
  FakeWhoisProcess registrar;
  registrar.SetDefaultResponse(
      "Domain Name: {QUERY}\r\nRegistrant Organization: From Registrar\r\n");
  ASSERT_TRUE(registrar.Start()) << registrar.error();
  const std::string registrar_port = std::to_string(registrar.port());
  FakeWhoisProcess registry;
  registry.AddResponse("pinned.test",
                       "Domain Name: PINNED.TEST\r\nRegistrar WHOIS Server: "
                       "whois.registrar.test:" +
                           registrar_port + "\r\nRegistrar: Example\r\n");
  registry.AddResponse("unpinned.test",
                       "Domain Name: UNPINNED.TEST\r\nRegistrar WHOIS Server: "
                       "whois.elsewhere.test:" +
                           registrar_port + "\r\nRegistrar: Example\r\n");
  ASSERT_TRUE(registry.Start()) << registry.error();
  ProxyProcess proxy({"--bundled-directory", "no", "--upstream-address", "whois.iana.org",
                      "127.0.0.1:1", "--tld-server", "test", "whois.nic.test", "--upstream-address",
                      "whois.nic.test", "127.0.0.1:" + std::to_string(registry.port()),
                      "--upstream-address", "whois.registrar.test", "127.0.0.1", "--lookup-timeout",
                      "3000"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  // Pinned without a port: the referral's port is the one used.
  auto r = Command(c.get(), {"GET", "pinned.test"});
  ASSERT_TRUE(r);
  EXPECT_NE(std::string(r->str, r->len).find("From Registrar"), std::string::npos) << r->str;
  EXPECT_EQ(RawHops(c.get(), "pinned.test"), 2);
  // Not pinned: the registry's record, and nothing asked of whois.elsewhere.test.
  r = Command(c.get(), {"GET", "unpinned.test"});
  ASSERT_TRUE(r);
  std::string json(r->str, r->len);
  EXPECT_NE(json.find("\"registered\""), std::string::npos) << json;
  EXPECT_EQ(json.find("From Registrar"), std::string::npos) << json;
  EXPECT_EQ(RawHops(c.get(), "unpinned.test"), 1);
  proxy.Stop();
  EXPECT_NE(
      proxy.log().find("referral to whois.elsewhere.test:" + registrar_port + " not followed"),
      std::string::npos)
      << proxy.log();
  registrar.Stop();
  auto log = registrar.ReadLog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].query, "pinned.test");
}

}  // namespace
