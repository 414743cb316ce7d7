// The upstream client against the fake WHOIS server in each of its modes, all on 127.0.0.1.
#include "whois/upstream/upstream_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_whois_process.h"
#include "loopback_socket.h"

namespace whois {
namespace {

using fake_whois::FakeWhoisProcess;

UpstreamTarget Pinned(int port, std::string host = "whois.test") {
  UpstreamTarget t;
  t.host = std::move(host);
  t.port = 43;
  t.pinned_address = "127.0.0.1:" + std::to_string(port);
  return t;
}

long MaxRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    client_ = std::make_unique<UpstreamClient>(&loop_);
  }

  void TearDown() override {
    client_.reset();
    // Returns only once every handle is closed and every request is done; uv_loop_close then
    // fails if any handle was left open.
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was leaked";
  }

  // Runs one query to completion; checks the callback fired exactly once and not synchronously.
  UpstreamResult Run(const UpstreamTarget& target, std::string query,
                     const UpstreamOptions& options = {}) {
    std::optional<UpstreamResult> result;
    int calls = 0;
    client_->Query(target, std::move(query), options, [&](UpstreamResult r) {
      ++calls;
      result = std::move(r);
    });
    EXPECT_FALSE(result.has_value()) << "callback ran inside Query()";
    EXPECT_EQ(client_->in_flight(), 1u);
    while (!result && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(client_->in_flight(), 0u);
    return result.value_or(UpstreamResult{});
  }

  // Starts a fake server with `args`, answering "Domain Name: {QUERY}" by default.
  std::unique_ptr<FakeWhoisProcess> StartFake(std::vector<std::string> args = {}) {
    auto fake = std::make_unique<FakeWhoisProcess>(std::move(args));
    fake->SetDefaultResponse("Domain Name: {QUERY}\r\nRegistrar: Example Registrar\r\n");
    EXPECT_TRUE(fake->Start()) << fake->error();
    return fake;
  }

  // Queries a fake in `mode`; expects `failure` and an error that says `why`.
  void ExpectFailureFrom(const char* mode, UpstreamFailure failure, std::string_view why) {
    auto fake = StartFake({"--mode", mode});
    UpstreamResult r = Run(Pinned(fake->port()), "example.com");
    EXPECT_EQ(r.failure, failure) << r.error;
    EXPECT_NE(r.error.find(why), std::string::npos) << r.error;
  }

  uv_loop_t loop_{};
  std::unique_ptr<UpstreamClient> client_;
};

TEST_F(UpstreamClientTest, NormalReply) {
  FakeWhoisProcess custom;
  custom.AddResponse("example.com", "Domain Name: EXAMPLE.COM\r\nRegistrar: RESERVED-IANA\r\n");
  ASSERT_TRUE(custom.Start()) << custom.error();

  UpstreamResult r = Run(Pinned(custom.port()), "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.text, "Domain Name: EXAMPLE.COM\r\nRegistrar: RESERVED-IANA\r\n");
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.raw_bytes, r.text.size());
  EXPECT_EQ(r.address_used, "127.0.0.1:" + std::to_string(custom.port()));
  EXPECT_TRUE(r.error.empty());
  EXPECT_GE(r.elapsed_ms, 0);

  custom.Stop();
  auto log = custom.ReadLog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].query, "example.com");  // sent as one CRLF-terminated line
  EXPECT_EQ(log[0].outcome, "served");
}

TEST_F(UpstreamClientTest, QueryWithSpacesIsSentVerbatim) {
  auto fake = StartFake();
  UpstreamResult r = Run(Pinned(fake->port()), "domain example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.text, "Domain Name: DOMAIN EXAMPLE.COM\r\nRegistrar: Example Registrar\r\n");
}

TEST_F(UpstreamClientTest, HangTimesOut) {
  auto fake = StartFake({"--mode", "hang"});
  UpstreamOptions o;
  o.query_timeout_ms = 300;
  UpstreamResult r = Run(Pinned(fake->port()), "example.com", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kTimedOut);
  EXPECT_GE(r.elapsed_ms, 290);
  EXPECT_NE(r.error.find("within 300 ms"), std::string::npos) << r.error;
  EXPECT_LT(r.elapsed_ms, 30000);  // the fake never answers: only the timeout ends it
  EXPECT_TRUE(r.text.empty());
}

TEST_F(UpstreamClientTest, ResetBeforeDataIsClassifiedReset) {
  ExpectFailureFrom("reset", UpstreamFailure::kReset, "reset");
}

TEST_F(UpstreamClientTest, ResetAfterTheReplyKeepsTheReply) {
  auto fake = StartFake({"--mode", "reset-after"});
  UpstreamResult r = Run(Pinned(fake->port()), "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.text, "Domain Name: EXAMPLE.COM\r\nRegistrar: Example Registrar\r\n");
}

TEST_F(UpstreamClientTest, GarbageIsReturnedAsValidUtf8Text) {
  auto fake = StartFake({"--mode", "garbage"});
  UpstreamResult r = Run(Pinned(fake->port()), "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.raw_bytes, 4096u);
  EXPECT_EQ(r.text.rfind("garbage:", 0), 0u);
  EXPECT_NE(r.text.find("\xEF\xBF\xBD"), std::string::npos);  // invalid bytes replaced
}

TEST_F(UpstreamClientTest, OversizeReplyIsCutAndMemoryStaysBounded) {
  auto fake = StartFake({"--mode", "oversize", "--oversize-bytes", "31457280"});  // 30 MiB
  long rss_before = MaxRssKb();
  UpstreamOptions o;
  o.max_reply_bytes = 1 << 20;
  UpstreamResult r = Run(Pinned(fake->port()), "example.com", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.raw_bytes, size_t{1} << 20);
  EXPECT_EQ(r.text.size(), size_t{1} << 20);  // ASCII filler: decoding keeps the size
  // Buffering the whole 30 MiB would raise the peak by at least that much.
  EXPECT_LT(MaxRssKb() - rss_before, 12 * 1024);
}

TEST_F(UpstreamClientTest, ReplyExactlyAtTheCapIsNotTruncated) {
  FakeWhoisProcess fake;
  fake.SetDefaultResponse("0123456789");
  ASSERT_TRUE(fake.Start()) << fake.error();
  UpstreamOptions o;
  o.max_reply_bytes = 10;
  UpstreamResult r = Run(Pinned(fake.port()), "a.example", o);
  EXPECT_EQ(r.text, "0123456789");
  EXPECT_FALSE(r.truncated);
  o.max_reply_bytes = 9;
  r = Run(Pinned(fake.port()), "a.example", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kNone);
  EXPECT_EQ(r.text, "012345678");
  EXPECT_TRUE(r.truncated);
}

TEST_F(UpstreamClientTest, TrickleCompletesWithinTheTimeout) {
  FakeWhoisProcess fake({"--mode", "trickle", "--trickle-ms", "5"});
  fake.SetDefaultResponse("Domain Name: {QUERY}\r\n");  // 24 bytes: about 120 ms
  ASSERT_TRUE(fake.Start()) << fake.error();
  UpstreamOptions o;
  o.query_timeout_ms = 30000;
  UpstreamResult r = Run(Pinned(fake.port()), "slow.example", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.text, "Domain Name: SLOW.EXAMPLE\r\n");
}

TEST_F(UpstreamClientTest, TrickleTooSlowTimesOutWithPartialText) {
  FakeWhoisProcess fake({"--mode", "trickle", "--trickle-ms", "500"});
  fake.SetDefaultResponse("Domain Name: {QUERY}\r\n");  // about 13 s
  ASSERT_TRUE(fake.Start()) << fake.error();
  UpstreamOptions o;
  o.query_timeout_ms = 2000;  // a few bytes in, however loaded the machine
  UpstreamResult r = Run(Pinned(fake.port()), "slow.example", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kTimedOut);
  EXPECT_FALSE(r.text.empty());
  EXPECT_LT(r.text.size(), 10u);
  EXPECT_EQ(r.text, std::string("Domain Name: ").substr(0, r.text.size()));
  EXPECT_NE(r.error.find("bytes received"), std::string::npos) << r.error;
}

TEST_F(UpstreamClientTest, CloseWithoutDataIsEmptyReply) {
  ExpectFailureFrom("close", UpstreamFailure::kEmptyReply, "without replying");
}

TEST_F(UpstreamClientTest, ClosedPortIsRefused) {
  int port = test_support::ClosedLoopbackPort();
  UpstreamResult r = Run(Pinned(port), "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kRefused) << r.error;
  EXPECT_EQ(r.address_used, "127.0.0.1:" + std::to_string(port));
  EXPECT_NE(r.error.find("connection refused"), std::string::npos) << r.error;
}

TEST_F(UpstreamClientTest, ConnectTimeoutWhenTheServerNeverAccepts) {
  // A listener with a full accept queue drops further SYNs, so connect() hangs.
  sockaddr_in addr;
  int lfd = test_support::BindLoopback(&addr);
  ASSERT_GE(lfd, 0);
  ASSERT_EQ(listen(lfd, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(fd);
  }
  UpstreamOptions o;
  o.connect_timeout_ms = 200;
  o.query_timeout_ms = 60000;
  UpstreamResult r = Run(Pinned(ntohs(addr.sin_port)), "example.com", o);
  for (int fd : fillers) close(fd);
  close(lfd);
  EXPECT_EQ(r.failure, UpstreamFailure::kTimedOut) << r.error;
  EXPECT_NE(r.error.find("connect timed out after 200 ms"), std::string::npos) << r.error;
  EXPECT_LT(r.elapsed_ms, 30000);  // not the query timeout
}

TEST_F(UpstreamClientTest, DecodesIso88591) {
  FakeWhoisProcess fake({"--charset", "iso-8859-1"});
  fake.SetDefaultResponse("Holder: S\xC3\xB8rensen\r\n");  // file is UTF-8; sent as Latin-1
  ASSERT_TRUE(fake.Start()) << fake.error();
  UpstreamOptions o;
  o.charset = "iso-8859-1";
  UpstreamResult r = Run(Pinned(fake.port()), "example.no", o);
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.raw_bytes, 18u);  // one byte for ø on the wire
  EXPECT_EQ(r.text, "Holder: S\xC3\xB8rensen\r\n");

  // Read as UTF-8, the Latin-1 byte is invalid and replaced, never passed through.
  o.charset = "utf-8";
  r = Run(Pinned(fake.port()), "example.no", o);
  EXPECT_EQ(r.text, "Holder: S\xEF\xBF\xBDrensen\r\n");
}

TEST_F(UpstreamClientTest, UnresolvableNameIsUnreachable) {
  UpstreamTarget t;
  t.host = "nonexistent.invalid";
  UpstreamOptions o;
  o.query_timeout_ms = 5000;  // bounds a resolver that would hang
  UpstreamResult r = Run(t, "example.com", o);
  EXPECT_TRUE(r.failure == UpstreamFailure::kUnreachable || r.failure == UpstreamFailure::kTimedOut)
      << UpstreamFailureName(r.failure) << ": " << r.error;
  if (r.failure == UpstreamFailure::kUnreachable) {
    EXPECT_NE(r.error.find("cannot resolve nonexistent.invalid"), std::string::npos) << r.error;
  }
  EXPECT_TRUE(r.address_used.empty());
}

TEST_F(UpstreamClientTest, LocalhostWithoutPinIsForbiddenAndNotContacted) {
  auto fake = StartFake();
  UpstreamTarget t;
  t.host = "localhost";
  t.port = static_cast<uint16_t>(fake->port());
  UpstreamResult r = Run(t, "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kForbiddenAddress) << r.error;
  EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  EXPECT_TRUE(r.address_used.empty());

  // An IP literal (as a referral could carry) is judged the same way.
  t.host = "127.0.0.1";
  r = Run(t, "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kForbiddenAddress) << r.error;
  EXPECT_EQ(fake->Control("stats").rfind("OK connections=0 ", 0), 0u) << fake->Control("stats");
}

TEST_F(UpstreamClientTest, PinnedOrAllowedPrivateAddressIsContacted) {
  auto fake = StartFake();
  UpstreamTarget t;
  t.host = "localhost";
  t.port = 1;  // the pin's port wins
  t.pinned_address = "127.0.0.1:" + std::to_string(fake->port());
  UpstreamResult r = Run(t, "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;

  t.pinned_address = "127.0.0.1";  // no port in the pin: target.port is used
  t.port = static_cast<uint16_t>(fake->port());
  r = Run(t, "example.com");
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;

  t.pinned_address.reset();
  UpstreamOptions o;
  o.allow_private = true;
  r = Run(t, "example.com", o);
  // localhost may resolve to ::1 first, where nothing listens; 127.0.0.1 then answers.
  EXPECT_EQ(r.failure, UpstreamFailure::kNone) << r.error;
  EXPECT_EQ(r.address_used, "127.0.0.1:" + std::to_string(fake->port()));
}

TEST_F(UpstreamClientTest, BadPinnedAddressIsReported) {
  UpstreamTarget t;
  t.host = "whois.test";
  for (const char* bad : {"whois.test", "127.0.0.1:", "127.0.0.1:99999", "[::1", "1.2.3.4:x"}) {
    t.pinned_address = bad;
    UpstreamResult r = Run(t, "example.com");
    EXPECT_EQ(r.failure, UpstreamFailure::kUnreachable) << bad;
    EXPECT_NE(r.error.find("pinned address"), std::string::npos) << r.error;
  }
}

TEST_F(UpstreamClientTest, BracketedIpv6PinIsUsed) {
  int port = test_support::ClosedLoopbackPort();
  UpstreamTarget t;
  t.host = "whois.test";
  t.pinned_address = "[::1]:" + std::to_string(port);
  UpstreamResult r = Run(t, "example.com");
  // Nothing listens there (and the host may have no IPv6 loopback at all).
  EXPECT_TRUE(r.failure == UpstreamFailure::kRefused || r.failure == UpstreamFailure::kUnreachable)
      << r.error;
  EXPECT_EQ(r.address_used, "[::1]:" + std::to_string(port));
}

TEST_F(UpstreamClientTest, HostNamesFromReferralsAreChecked) {
  UpstreamTarget t;
  for (const char* bad : {"", "whois://whois.example.com", "whois.example.com/path",
                          "whois.example.com\r\n", "bad host"}) {
    t.host = bad;
    UpstreamResult r = Run(t, "example.com");
    EXPECT_EQ(r.failure, UpstreamFailure::kUnreachable) << bad;
    EXPECT_TRUE(r.address_used.empty());
    EXPECT_FALSE(r.error.empty());
  }
}

TEST_F(UpstreamClientTest, QueryWithControlCharactersIsRejectedWithoutConnecting) {
  auto fake = StartFake();
  for (std::string bad : {std::string("example.com\r\nexample.org"), std::string("a\nb"),
                          std::string("tab\there"), std::string("nul\0x", 5), std::string("")}) {
    UpstreamResult r = Run(Pinned(fake->port()), bad);
    EXPECT_EQ(r.failure, UpstreamFailure::kInvalidQuery) << r.error;
    EXPECT_FALSE(r.error.empty());
  }
  UpstreamResult r = Run(Pinned(fake->port()), std::string(kMaxQueryBytes + 1, 'a'));
  EXPECT_EQ(r.failure, UpstreamFailure::kInvalidQuery);
  EXPECT_EQ(fake->Control("stats").rfind("OK connections=0 ", 0), 0u) << fake->Control("stats");
}

TEST(CheckWhoisQueryTest, NamesTheOffendingByte) {
  EXPECT_TRUE(CheckWhoisQuery("example.com").ok());
  EXPECT_TRUE(CheckWhoisQuery("-T dn,ace xn--mnchen-3ya.de").ok());
  util::Status err = CheckWhoisQuery("a\rb");
  ASSERT_TRUE(err.IsInvalidArgument());
  EXPECT_NE(err.message().find("0x0D at offset 1"), std::string::npos) << err.message();
  EXPECT_FALSE(CheckWhoisQuery("del\x7f").ok());
}

TEST_F(UpstreamClientTest, CancelAllFiresEveryCallbackOnce) {
  auto fake = StartFake({"--mode", "hang"});
  std::vector<int> calls(5, 0);
  std::vector<UpstreamFailure> failures(5, UpstreamFailure::kNone);
  for (int i = 0; i < 5; ++i) {
    UpstreamTarget t = Pinned(fake->port());
    UpstreamOptions o;
    if (i == 4) {  // one through DNS
      t = UpstreamTarget{"localhost", static_cast<uint16_t>(fake->port()), std::nullopt};
      o.allow_private = true;
    }
    client_->Query(t, "q" + std::to_string(i), o, [&, i](UpstreamResult r) {
      ++calls[i];
      failures[i] = r.failure;
    });
  }
  // Let some connect and send their query.
  for (int i = 0; i < 20; ++i) uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ(client_->in_flight(), 5u);
  client_->CancelAll();
  EXPECT_EQ(client_->in_flight(), 0u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(calls[i], 1) << i;
    EXPECT_EQ(failures[i], UpstreamFailure::kCancelled) << i;
  }
  uv_run(&loop_, UV_RUN_DEFAULT);  // all handles close; nothing fires again
  for (int i = 0; i < 5; ++i) EXPECT_EQ(calls[i], 1) << i;
}

TEST_F(UpstreamClientTest, CancelDuringNameLookupDiscardsTheLateAnswer) {
  int calls = 0;
  UpstreamFailure failure = UpstreamFailure::kNone;
  client_->Query(UpstreamTarget{"nonexistent.invalid", 43, std::nullopt}, "example.com", {},
                 [&](UpstreamResult r) {
                   ++calls;
                   failure = r.failure;
                 });
  client_->CancelAll();  // the lookup is queued or running in the thread pool
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(failure, UpstreamFailure::kCancelled);
  uv_run(&loop_, UV_RUN_DEFAULT);  // the lookup's completion arrives and is dropped
  EXPECT_EQ(calls, 1);
}

TEST_F(UpstreamClientTest, CallbackMayDestroyTheClient) {
  auto fake = StartFake({"--mode", "hang"});
  int calls = 0;
  UpstreamOptions quick;
  quick.query_timeout_ms = 100;
  // The first query to time out destroys the client; the others are then cancelled.
  for (int i = 0; i < 3; ++i) {
    client_->Query(Pinned(fake->port()), "q", quick, [&](UpstreamResult r) {
      ++calls;
      if (r.failure == UpstreamFailure::kTimedOut) client_.reset();
    });
  }
  while (client_ && uv_run(&loop_, UV_RUN_ONCE) != 0) {
  }
  EXPECT_EQ(client_, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(calls, 3);
}

TEST_F(UpstreamClientTest, CallbackMayStartANewQuery) {
  auto fake = StartFake();
  std::vector<std::string> texts;
  client_->Query(Pinned(fake->port()), "first.example", {}, [&](UpstreamResult r) {
    texts.push_back(r.text);
    client_->Query(Pinned(fake->port()), "second.example", {},
                   [&](UpstreamResult r2) { texts.push_back(r2.text); });
  });
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_NE(texts[1].find("SECOND.EXAMPLE"), std::string::npos);
}

TEST_F(UpstreamClientTest, HundredsOfConcurrentQueries) {
  // The latency keeps queries open long enough to overlap however slowly the loop runs.
  auto fake = StartFake({"--latency-ms", "500"});
  constexpr int kQueries = 300;
  int ok = 0, done = 0;
  for (int i = 0; i < kQueries; ++i) {
    std::string domain = "d" + std::to_string(i) + ".example";
    client_->Query(Pinned(fake->port()), domain, {}, [&, domain](UpstreamResult r) {
      ++done;
      if (r.failure == UpstreamFailure::kNone && r.text.find("Domain Name: ") == 0) ++ok;
    });
  }
  EXPECT_EQ(client_->in_flight(), static_cast<size_t>(kQueries));
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(done, kQueries);
  EXPECT_EQ(ok, kQueries);
  fake->Stop();
  EXPECT_GE(fake_whois::MaxConcurrentServed(fake->ReadLog()), 10);
}

TEST(UpstreamFailureNameTest, StableNames) {
  EXPECT_EQ(UpstreamFailureName(UpstreamFailure::kNone), "none");
  EXPECT_EQ(UpstreamFailureName(UpstreamFailure::kTimedOut), "timed_out");
  EXPECT_EQ(UpstreamFailureName(UpstreamFailure::kForbiddenAddress), "forbidden_address");
  EXPECT_EQ(UpstreamFailureName(UpstreamFailure::kCancelled), "cancelled");
}

}  // namespace
}  // namespace whois
