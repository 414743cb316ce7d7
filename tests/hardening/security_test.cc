// Security: nothing before AUTH, no password in the log, protected mode, and client bytes that
// must never reach an upstream query or break a reply.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using testing_support::Command;
using testing_support::ConnectRaw;
using testing_support::ProxyProcess;
using testing_support::ReadAtLeast;
using testing_support::ReadUntilClose;
using testing_support::ReadUntilEndsWith;
using testing_support::SendAll;

// Long, distinctive passwords: a grep for them in the log cannot hit an unrelated word.
const std::string kPassword = "pw-Hardening-S3cret";
const std::string kWrongPassword = "pw-Wrong-Guess-77";
const std::string kNewPassword = "pw-Rotated-Secret-99";

std::string Resp(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

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
    batch += Resp(argv);
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
  SendAll(fd, Resp({"HELLO", "3"}) + Resp({"AUTH", kWrongPassword}) +
                  Resp({"AUTH", "default", kWrongPassword}) +
                  Resp({"HELLO", "3", "AUTH", "default", kWrongPassword}) + Resp({"PING"}));
  want = hello_noauth + wrongpass + wrongpass + wrongpass + "-NOAUTH Authentication required.\r\n";
  EXPECT_EQ(ReadAtLeast(fd, want.size()), want);
  // The right password opens the connection.
  SendAll(fd, Resp({"AUTH", kPassword}) + Resp({"PING"}));
  EXPECT_EQ(ReadAtLeast(fd, 12), "+OK\r\n+PONG\r\n");
  close(fd);

  // QUIT works unauthenticated and closes.
  fd = ConnectRaw(proxy.port());
  SendAll(fd, Resp({"QUIT"}) + Resp({"PING"}));
  EXPECT_EQ(ReadUntilClose(fd), "+OK\r\n");
  close(fd);

  // HELLO ... AUTH authenticates and switches protocol in one step.
  fd = ConnectRaw(proxy.port());
  // A PING after it marks where the HELLO map ends.
  SendAll(fd, Resp({"HELLO", "3", "AUTH", "default", kPassword}) + Resp({"PING"}));
  std::string hello = ReadUntilEndsWith(fd, "+PONG\r\n");
  ASSERT_FALSE(hello.empty());
  EXPECT_EQ(hello[0], '%') << hello;
  SendAll(fd, Resp({"PING"}));
  EXPECT_EQ(ReadAtLeast(fd, 7), "+PONG\r\n");
  // An authenticated client may read the password (as in Redis) and change it.
  SendAll(fd, Resp({"CONFIG", "SET", "requirepass", kNewPassword}));
  EXPECT_EQ(ReadAtLeast(fd, 5), "+OK\r\n");
  close(fd);
  fd = ConnectRaw(proxy.port());
  SendAll(fd, Resp({"AUTH", kPassword}) + Resp({"AUTH", kNewPassword}));
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

std::string IanaTldAnswer(const std::string& tld, const std::string& server) {
  return "% IANA WHOIS server\r\n\r\ndomain:       " + tld + "\r\n\r\norganisation: Test\r\n" +
         "whois:        " + server + "\r\n\r\nstatus:       ACTIVE\r\n";
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
    SendAll(fd, Resp(argv) + Resp({"PING"}));
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

}  // namespace
