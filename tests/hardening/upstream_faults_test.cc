// Upstreams that misbehave and clients that leave mid-lookup, end to end: the real proxy
// against fake WHOIS servers on 127.0.0.1 (every upstream host pinned with upstream-address).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_probe.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using fake_whois::IanaTldAnswer;
using hardening::InfoInt;
using hardening::WaitUntil;
using test_support::Command;
using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::SendAll;
using namespace std::chrono_literals;

const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar: Hardening Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Registry Expiry Date: 2030-02-03T04:05:06Z\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n";

std::string StatusOf(const std::string& json) {
  auto at = json.find("\"status\":\"");
  if (at == std::string::npos) return "<none>";
  at += 10;
  return json.substr(at, json.find('"', at) - at);
}

TEST(ClientsThatLeave, LookupsOfVanishedClientsCompleteAndAreCached) {
  FakeWhoisProcess iana;
  iana.AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
  FakeWhoisProcess registry({"--latency-ms", "500"});
  registry.SetDefaultResponse(kRegistryReply);
  ASSERT_TRUE(iana.Start()) << iana.error();
  ASSERT_TRUE(registry.Start()) << registry.error();
  std::vector<std::string> args = test_support::FakeUpstreamArgs(iana, registry);
  args.insert(args.end(),
              {"--upstream-limit", "whois.nic.test", "concurrency", "64", "rate", "1000/s",
               "--upstream-limit", "whois.iana.org", "concurrency", "4", "rate", "100/s"});
  ProxyProcess proxy(args);
  ASSERT_TRUE(proxy.Start()) << proxy.log();

  constexpr int kClients = 50;
  std::vector<int> fds;
  std::vector<std::string> domains;
  for (int i = 0; i < kClients; ++i) {
    domains.push_back("gone" + std::to_string(i) + ".test");
    int fd = ConnectRaw(proxy.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "GET " + domains.back() + "\r\n");
    fds.push_back(fd);
  }
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  // Every GET has been read and its lookup started before the clients go.
  EXPECT_TRUE(WaitUntil(
      [&] { return InfoInt(c.get(), "whois", "lookups_started").value_or(-1) == kClients; }));
  for (int fd : fds) close(fd);
  std::vector<std::string> exists = {"EXISTS"};
  exists.insert(exists.end(), domains.begin(), domains.end());
  long long cached = 0;
  EXPECT_TRUE(WaitUntil([&] {
    auto r = Command(c.get(), exists);
    cached = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    return cached == kClients;
  })) << cached
      << " of " << kClients << " records cached";
  for (const auto& d : domains) {
    auto r = Command(c.get(), {"GET", d});
    ASSERT_TRUE(r);
    EXPECT_EQ(StatusOf(std::string(r->str, r->len)), "registered") << d;
  }
  EXPECT_TRUE(
      WaitUntil([&] { return InfoInt(c.get(), "whois", "lookups_in_flight").value_or(-1) == 0; }));
  EXPECT_EQ(InfoInt(c.get(), "whois", "lookups_started").value_or(-1), kClients);
  EXPECT_EQ(InfoInt(c.get(), "clients", "connected_clients").value_or(-1), 1);
  // Replies for clients that had gone are dropped; the proxy counts them (stats_.orphaned_replies)
  // but INFO does not show the figure. Say so rather than assert on it.
  if (!hardening::InfoField(c.get(), "stats", "orphaned_replies"))
    std::cout << "[ info ] INFO does not expose orphaned_replies\n";
  std::map<std::string, int> asked;
  for (const auto& e : registry.ReadLog()) ++asked[e.query];
  for (const auto& d : domains) EXPECT_EQ(asked[d], 1) << d;
}

// One registry per failure mode, each behind its own TLD so that one host's back-off cannot
// colour another's answer.
class MisbehavingUpstreams : public ::testing::Test {
 protected:
  // A client's answer must come at the lookup timeout (plus a margin for a loaded machine),
  // well before the upstream timeout would give the same fallback.
  static constexpr int kLookupTimeoutMs = 1000;
  static constexpr auto kMargin = 3500ms;
  static constexpr int kUpstreamTimeoutMs = 6000;

  void SetUp() override {
    iana_ = std::make_unique<FakeWhoisProcess>();
    const std::map<std::string, std::vector<std::string>> modes = {
        {"hang", {"--mode", "hang"}},
        {"reset", {"--mode", "reset"}},
        {"trickle", {"--mode", "trickle", "--trickle-ms", "100"}},
        {"garbage", {"--mode", "garbage"}},
        {"oversize", {"--mode", "oversize", "--oversize-bytes", "31457280"}},
    };
    std::vector<std::string> args = {"--bundled-directory",
                                     "no",
                                     "--lookup-timeout",
                                     std::to_string(kLookupTimeoutMs),
                                     "--upstream-timeout",
                                     std::to_string(kUpstreamTimeoutMs),
                                     "--upstream-connect-timeout",
                                     "1000",
                                     "--upstream-limit",
                                     "whois.iana.org",
                                     "concurrency",
                                     "4",
                                     "rate",
                                     "100/s"};
    for (const auto& [tld, flags] : modes) {
      auto f = std::make_unique<FakeWhoisProcess>(flags);
      f->SetDefaultResponse(kRegistryReply);
      ASSERT_TRUE(f->Start()) << f->error();
      iana_->AddResponse(tld, IanaTldAnswer(tld, "whois.nic." + tld));
      args.insert(args.end(), {"--upstream-address", "whois.nic." + tld, LoopbackAddress(*f)});
      registries_[tld] = std::move(f);
    }
    ASSERT_TRUE(iana_->Start()) << iana_->error();
    args.insert(args.end(), {"--upstream-address", "whois.iana.org", LoopbackAddress(*iana_)});
    proxy_ = std::make_unique<ProxyProcess>(args);
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }

  // GETs `name` and checks that the answer comes within lookup-timeout plus a margin, is one
  // JSON object without raw control bytes, and names the domain.
  std::string TimedGet(const std::string& name) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = Command(c_.get(), {"GET", name});
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(r) << name << ": " << c_->errstr;
    if (!r) return "";
    EXPECT_EQ(r->type, REDIS_REPLY_STRING) << name << ": " << (r->str ? r->str : "");
    std::string json(r->str ? std::string(r->str, r->len) : "");
    EXPECT_LT(took, std::chrono::milliseconds(kLookupTimeoutMs) + kMargin)
        << name << " took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
        << " ms";
    EXPECT_TRUE(json.starts_with("{\"domain\":\"" + name + "\"")) << json;
    for (unsigned char ch : json) {
      EXPECT_GE(ch, 0x20) << name << ": raw control byte in the JSON: " << json;
      if (ch < 0x20) break;
    }
    return json;
  }

  void ExpectServing() {
    auto r = Command(c_.get(), {"PING"});
    ASSERT_TRUE(r) << c_->errstr;
    EXPECT_STREQ(r->str, "PONG");
  }

  std::unique_ptr<FakeWhoisProcess> iana_;
  std::map<std::string, std::unique_ptr<FakeWhoisProcess>> registries_;
  std::unique_ptr<ProxyProcess> proxy_;
  ProxyProcess::Redis c_;
};

TEST_F(MisbehavingUpstreams, HangGivesATimeoutFallbackInTime) {
  std::string json = TimedGet("a.hang");
  EXPECT_NE(json.find(R"("status":"fallback","reason":"timeout")"), std::string::npos) << json;
  ExpectServing();
}

// A registry that resets the connection, or sends garbage (README: "a registry that ... sends
// nothing usable gives a fallback record"): the param is the fake's mode and the name's label.
class FallbackUpstreams : public MisbehavingUpstreams,
                          public ::testing::WithParamInterface<std::string> {};

TEST_P(FallbackUpstreams, GiveAFallbackInTime) {
  std::string json = TimedGet("a." + GetParam());
  EXPECT_EQ(StatusOf(json), "fallback") << json;
  ExpectServing();
}

INSTANTIATE_TEST_SUITE_P(MisbehavingUpstreams, FallbackUpstreams,
                         ::testing::Values("reset", "garbage"),
                         [](const auto& info) { return info.param; });

TEST_F(MisbehavingUpstreams, TrickleGivesATimeoutFallbackInTimeAndNoPartialRecordIsCached) {
  std::string json = TimedGet("a.trickle");
  EXPECT_NE(json.find(R"("status":"fallback","reason":"timeout")"), std::string::npos) << json;
  // The trickle (100 ms a byte) outlasts upstream-timeout: the lookup ends as a failure.
  // Whatever lands in the cache must not be a record made from a cut-off fragment.
  EXPECT_TRUE(
      WaitUntil([&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(-1) == 0; }));
  std::string later = TimedGet("a.trickle");
  EXPECT_NE(StatusOf(later), "not_found") << later;
  ExpectServing();
}

TEST_F(MisbehavingUpstreams, ThirtyMegabyteReplyIsCutAndMemoryStaysBounded) {
  pid_t pid = hardening::ServerPid(c_.get());
  ASSERT_GT(pid, 0);
  int64_t before = hardening::ResidentBytes(pid);
  std::string json = TimedGet("a.oversize");
  EXPECT_EQ(StatusOf(json), "fallback") << json;
  // The lookup may outlive the client's deadline: let it end, then measure.
  EXPECT_TRUE(
      WaitUntil([&] { return InfoInt(c_.get(), "whois", "lookups_in_flight").value_or(-1) == 0; }));
  int64_t after = hardening::ResidentBytes(pid);
  std::cout << "[ info ] proxy RSS " << before / 1024 << " KiB before, " << after / 1024
            << " KiB after a 30 MiB upstream reply\n";
  EXPECT_LT(after, 100ll << 20);
  ExpectServing();
  // The proxy read at most upstream-max-reply (1 MiB) and closed: the fake did not get to send
  // all 30 MiB. The fake logs a connection when it closes.
  registries_["oversize"]->Stop();
  auto log = registries_["oversize"]->ReadLog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].outcome, "oversize");
  EXPECT_EQ(log[0].query, "a.oversize");
}

}  // namespace
