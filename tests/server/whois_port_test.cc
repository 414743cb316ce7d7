// The WHOIS port (RFC 3912) as WHOIS tools use it: the real whois(1) client and raw sockets
// against a proxy whose registry is a fake-whois on 127.0.0.1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace {

using test_support::Command;
using test_support::ConnectRaw;
using test_support::FreePort;
using test_support::ReadUntilClose;
using test_support::RunShell;
using test_support::SendAll;
using test_support::WaitUntil;

const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar: Front Door Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n";

class WhoisPortTest : public test_support::TldServerProxyTest {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    whois_port_ = FreePort();
    std::vector<std::string> args = {"--whois-port", std::to_string(whois_port_)};
    args.insert(args.end(), extra.begin(), extra.end());
    StartProxy(kRegistryReply, args);
  }
  // What whois(1) prints for `name` asked of the proxy's WHOIS port.
  std::string WhoisClient(const std::string& name) {
    std::string out;
    int rc =
        RunShell("whois -h 127.0.0.1 -p " + std::to_string(whois_port_) + " '" + name + "'", &out);
    EXPECT_EQ(rc, 0) << out;
    return out;
  }
  // The reply to one raw query line (sent as given).
  std::string Ask(const std::string& bytes) {
    int fd = ConnectRaw(whois_port_);
    if (fd < 0) return "<no connection>";
    SendAll(fd, bytes);
    std::string out = ReadUntilClose(fd);
    close(fd);
    return out;
  }
  bool HaveWhoisClient() { return access("/usr/bin/whois", X_OK) == 0; }

  int whois_port_ = 0;
};

TEST_F(WhoisPortTest, WhoisClientGetsTheRawChainAndAFooter) {
  if (!HaveWhoisClient()) GTEST_SKIP() << "whois(1) is not installed (Debian package whois)";
  Start();
  std::string out = WhoisClient("live.test");
  EXPECT_NE(out.find("Domain Name: LIVE.TEST\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Registrar: Front Door Registrar\n"), std::string::npos) << out;
  EXPECT_NE(out.find("% whois-proxy: fetched 20"), std::string::npos) << out;
  EXPECT_NE(out.find(" from whois.nic.test\n"), std::string::npos) << out;
  // The same name in another spelling is GET's record: from the cache, not asked again.
  std::string again = WhoisClient("LIVE.Test.");
  EXPECT_NE(again.find("Registrar: Front Door Registrar"), std::string::npos) << again;
  EXPECT_EQ(registry_.ReadLog().size(), 1u);
  // Replies end lines in CRLF on the wire.
  std::string raw = Ask("live.test\r\n");
  EXPECT_NE(raw.find("Registrar: Front Door Registrar\r\n"), std::string::npos) << raw;
}

TEST_F(WhoisPortTest, RecordWithoutRawTextIsRenderedAsKeyValueLines) {
  Start();
  auto r = Command(
      c_.get(),
      {"SET", "imported.test",
       R"({"domain":"imported.test","status":"registered","created":"2020-01-02T03:04:05Z","registrar":{"name":"Test Registrar"},"registrant":{"organization":"Example Org","country":"DE"},"nameservers":["ns1.example.net","ns2.example.net"]})"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  std::string out = Ask("imported.test\r\n");
  EXPECT_NE(out.find("Domain Name: imported.test\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Creation Date: 2020-01-02T03:04:05Z\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Registrar: Test Registrar\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Registrant Organization: Example Org\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Registrant Country: DE\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Name Server: ns1.example.net\r\nName Server: ns2.example.net\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("% whois-proxy: rendered from the stored record"), std::string::npos) << out;
  EXPECT_TRUE(registry_.ReadLog().empty());
}

TEST_F(WhoisPortTest, InvalidNameFallbackAndEmptyQueryAnswerOneCommentLine) {
  Start();
  std::string out = Ask("not a name\r\n");
  EXPECT_TRUE(out.starts_with("% invalid domain name 'not a name': ")) << out;
  EXPECT_EQ(out.find("\r\n"), out.size() - 2) << out;
  EXPECT_EQ(Ask("\r\n"), "% empty query: send one domain name per line\r\n");
  // A daily cap of 1: the second new name cannot be asked upstream.
  auto r = Command(c_.get(), {"WHOIS.LIMITS", "whois.nic.test", "daily", "1"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  Ask("first.test\n");
  out = Ask("second.test\n");
  EXPECT_TRUE(out.starts_with("% no answer for second.test from upstream just now (daily_limit)"))
      << out;
  EXPECT_EQ(out.find("\r\n"), out.size() - 2) << out;
}

TEST_F(WhoisPortTest, QueriesFromOneAddressAreLimited) {
  Start({"--whois-port-limit", "1"});
  auto r =
      Command(c_.get(), {"SET", "quick.test", R"({"domain":"quick.test","status":"registered"})"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  // One per second: of five queries made back to back at least one is refused (all five
  // would pass only if each waited a second for the one before).
  int refused = 0, answered = 0;
  for (int i = 0; i < 5; ++i) {
    std::string out = Ask("quick.test\n");
    if (out == "% query rate limit exceeded for 127.0.0.1 (1 per second); try again later\r\n")
      ++refused;
    else if (out.find("Domain Name: quick.test") != std::string::npos)
      ++answered;
    else
      ADD_FAILURE() << out;
  }
  EXPECT_GE(refused, 1);
  EXPECT_GE(answered, 1);
  // Another client address (any 127.x.y.z) has its own budget: CONFIG SET raises the limit.
  r = Command(c_.get(), {"CONFIG", "SET", "whois-port-limit", "1000"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  EXPECT_TRUE(WaitUntil(
      [&] { return Ask("quick.test\n").find("Domain Name: quick.test") != std::string::npos; }));
}

TEST_F(WhoisPortTest, LongLinesAndIdleConnectionsAreClosed) {
  Start();
  std::string out = Ask(std::string(2000, 'a'));
  EXPECT_EQ(out, "% query line longer than 1024 bytes; closing\r\n");
  // A client that sends nothing is closed after the idle time (10 s), well before the
  // test's patience runs out.
  int fd = ConnectRaw(whois_port_);
  ASSERT_GE(fd, 0);
  auto started = std::chrono::steady_clock::now();
  std::string nothing = ReadUntilClose(fd);
  close(fd);
  EXPECT_EQ(nothing, "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(45));
}

}  // namespace
