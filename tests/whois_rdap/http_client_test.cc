// The RDAP HTTP client against fake-rdap on 127.0.0.1. Every request goes to a server the test
// started (or to a closed loopback port); nothing leaves the machine.
#include "whois/rdap/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_rdap_process.h"
#include "loopback_socket.h"
#include "uv_test_loop.h"
#include "whois/rdap/rdap_mapper.h"

namespace whois::rdap {
namespace {

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(HttpClient::GlobalInit(), ""); }
  void TearDown() override { HttpClient::GlobalCleanup(); }
};
[[maybe_unused]] ::testing::Environment* const kCurlEnv =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

HttpRequestOptions LocalOptions() {
  HttpRequestOptions o;
  o.allow_private = true;  // the fake server is on 127.0.0.1
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 10000;
  return o;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = std::make_unique<HttpClient>(loop_.get()); }

  // Runs the loop until `done()` or `timeout_ms` passes.
  void RunUntil(const std::function<bool()>& done, int timeout_ms = 60000) {
    loop_.RunUntil(done, std::chrono::milliseconds(timeout_ms));
  }

  HttpResult Fetch(const std::string& url, const HttpRequestOptions& o = LocalOptions()) {
    std::optional<HttpResult> got;
    int calls = 0;
    client_->Get(url, o, [&](HttpResult r) {
      ++calls;
      got = std::move(r);
    });
    EXPECT_EQ(calls, 0) << "callback ran inside Get()";
    RunUntil([&] { return got.has_value(); });
    EXPECT_EQ(calls, 1);
    return got.value_or(
        HttpResult{HttpFailure::kOther, 0, "", false, {}, "", "", 0, 0, "no callback"});
  }

  // Starts a fake RDAP server with `args`; a failed start fails the test.
  std::unique_ptr<fake_rdap::FakeRdapProcess> StartRdap(std::vector<std::string> args = {}) {
    auto rdap = std::make_unique<fake_rdap::FakeRdapProcess>(std::move(args));
    EXPECT_TRUE(rdap->Start()) << rdap->error();
    return rdap;
  }

  test_support::UvTestLoop loop_;  // outlives client_, whose handles it closes at the end
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, Fetches200AndMapsIt) {
  auto rdap = StartRdap();
  HttpResult r = Fetch(rdap->base_url() + "/domain/example.com");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/rdap+json");
  EXPECT_EQ(r.effective_url, rdap->base_url() + "/domain/example.com");
  EXPECT_EQ(r.redirects, 0);
  RdapDomainResult m = MapDomainResponse(r.body, "example.com", static_cast<int>(r.status));
  EXPECT_EQ(m.kind, RdapKind::kFound) << m.error;
  EXPECT_EQ(m.registrar_rdap_url, rdap->base_url() + "/registrar/domain/example.com");
  auto log = rdap->ReadLog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].path, "/domain/example.com");
  EXPECT_EQ(log[0].status, 200);
}

TEST_F(HttpClientTest, NotFoundIsAResponse) {
  auto rdap = StartRdap();
  HttpResult r = Fetch(rdap->base_url() + "/domain/no-such-name.com");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(MapDomainResponse(r.body, "no-such-name.com", 404).kind, RdapKind::kNotFound);
}

TEST_F(HttpClientTest, RateLimitedWithRetryAfter) {
  auto rdap = StartRdap({"--retry-after", "42"});
  HttpResult r = Fetch(rdap->base_url() + "/_mode/ratelimit/domain/example.com");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after_s, 42);
}

TEST_F(HttpClientTest, FollowsRedirectToAnotherServer) {
  auto target = StartRdap();
  auto origin = StartRdap({"--mode", "redirect", "--redirect-to", target->base_url()});
  HttpResult r = Fetch(origin->base_url() + "/domain/example.com");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.effective_url, target->base_url() + "/domain/example.com");
  ASSERT_EQ(origin->ReadLog().size(), 1u);
  EXPECT_EQ(origin->ReadLog()[0].status, 302);
  ASSERT_EQ(target->ReadLog().size(), 1u);
  EXPECT_EQ(target->ReadLog()[0].status, 200);
}

TEST_F(HttpClientTest, RedirectLoopIsCapped) {
  auto rdap = StartRdap();
  HttpResult r = Fetch(rdap->base_url() + "/_mode/redirect-loop/domain/example.com");
  EXPECT_EQ(r.failure, HttpFailure::kTooManyRedirects) << r.error;
  EXPECT_EQ(rdap->ReadLog().size(), static_cast<size_t>(kMaxRedirects + 1));
}

TEST_F(HttpClientTest, MalformedBodyIsReturnedAsIs) {
  auto rdap = StartRdap();
  HttpResult r = Fetch(rdap->base_url() + "/_mode/malformed/domain/example.com");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.body, "{\"objectClassName\":\"domain\",\"ldhName\":\"broken");
  EXPECT_EQ(MapDomainResponse(r.body, "example.com").kind, RdapKind::kUnusable);
}

TEST_F(HttpClientTest, OversizedBodyIsCut) {
  auto rdap = StartRdap({"--oversize-bytes", "300000"});
  HttpRequestOptions o = LocalOptions();
  o.max_body_bytes = 64 * 1024;
  HttpResult r = Fetch(rdap->base_url() + "/_mode/oversize/domain/example.com", o);
  EXPECT_EQ(r.failure, HttpFailure::kTooLarge) << r.error;
  EXPECT_TRUE(r.truncated);
  EXPECT_LE(r.body.size(), o.max_body_bytes);
}

TEST_F(HttpClientTest, SlowServerTimesOut) {
  auto rdap = StartRdap({"--delay-ms", "60000"});
  HttpRequestOptions o = LocalOptions();
  o.total_timeout_ms = 300;
  HttpResult r = Fetch(rdap->base_url() + "/_mode/slow/domain/example.com", o);
  EXPECT_EQ(r.failure, HttpFailure::kTimeout) << r.error;
  EXPECT_LT(r.elapsed_ms, 30000);  // the fake answers after 60 s: only the timeout ends it
}

TEST_F(HttpClientTest, TrickleWithinTimeoutArrivesWhole) {
  auto rdap = StartRdap({"--trickle-ms", "1"});
  HttpResult r = Fetch(rdap->base_url() + "/_mode/trickle/domain/beispiel.de");
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(MapDomainResponse(r.body, "beispiel.de").kind, RdapKind::kFound);
}

TEST_F(HttpClientTest, ConnectionRefused) {
  int port = test_support::ClosedLoopbackPort();
  ASSERT_NE(port, 0);
  HttpResult r = Fetch("http://127.0.0.1:" + std::to_string(port) + "/domain/x.com");
  EXPECT_EQ(r.failure, HttpFailure::kRefused) << r.error;
}

TEST_F(HttpClientTest, RefusesPlainHttpToNonLoopbackBeforeConnecting) {
  // Refused up front: no DNS lookup, no connection.
  HttpResult r = Fetch("http://rdap.example.invalid/domain/x.com");
  EXPECT_EQ(r.failure, HttpFailure::kForbiddenUrl);
  EXPECT_EQ(Fetch("ftp://127.0.0.1/x").failure, HttpFailure::kForbiddenUrl);
  HttpRequestOptions o = LocalOptions();
  o.pinned_address = "not an address";
  EXPECT_EQ(Fetch("https://rdap.example.invalid/", o).failure, HttpFailure::kForbiddenUrl);
}

TEST_F(HttpClientTest, PinnedAddressAllowsHttpAndSkipsDns) {
  auto rdap = StartRdap();
  HttpRequestOptions o;  // allow_private stays false: the pinned address is the operator's
  o.pinned_address = "127.0.0.1:" + std::to_string(rdap->port());
  HttpResult r = Fetch("http://rdap.example.invalid/domain/example.com", o);
  ASSERT_EQ(r.failure, HttpFailure::kNone) << r.error;
  EXPECT_EQ(r.status, 200);
}

TEST_F(HttpClientTest, AddressPolicyRefusesLoopbackUnlessAllowed) {
  auto rdap = StartRdap();
  HttpRequestOptions o;
  o.allow_private = false;
  HttpResult r = Fetch(rdap->base_url() + "/domain/example.com", o);
  EXPECT_EQ(r.failure, HttpFailure::kForbiddenAddress) << r.error;
  EXPECT_TRUE(rdap->ReadLog().empty());
}

TEST_F(HttpClientTest, CancelAllFiresEachCallbackOnce) {
  auto rdap = StartRdap({"--delay-ms", "5000"});
  std::vector<int> calls(3, 0);
  std::vector<HttpFailure> failures(3, HttpFailure::kNone);
  for (int i = 0; i < 3; ++i) {
    client_->Get(rdap->base_url() + "/_mode/slow/domain/example.com", LocalOptions(),
                 [&, i](HttpResult r) {
                   ++calls[i];
                   failures[i] = r.failure;
                 });
  }
  // One refused up front, still pending until the loop turns.
  int refused_calls = 0;
  client_->Get("gopher://x/", LocalOptions(), [&](HttpResult) { ++refused_calls; });
  EXPECT_EQ(client_->in_flight(), 4u);
  RunUntil([&] { return rdap->ReadLog().size() == 3; }, 5000);
  client_->CancelAll();
  EXPECT_EQ(client_->in_flight(), 0u);
  EXPECT_EQ(calls, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(refused_calls, 1);
  for (HttpFailure f : failures) EXPECT_EQ(f, HttpFailure::kCancelled);
  RunUntil([] { return false; }, 300);
  EXPECT_EQ(calls, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(refused_calls, 1);
}

TEST_F(HttpClientTest, CallbackMayDestroyTheClient) {
  auto rdap = StartRdap();
  int calls = 0;
  client_->Get(rdap->base_url() + "/domain/example.com", LocalOptions(), [&](HttpResult r) {
    ++calls;
    EXPECT_EQ(r.status, 200);
    client_.reset();
  });
  client_->Get(rdap->base_url() + "/_mode/slow/domain/example.com", LocalOptions(),
               [&](HttpResult r) {
                 ++calls;
                 EXPECT_EQ(r.failure, HttpFailure::kCancelled);
               });
  RunUntil([&] { return client_ == nullptr; });
  EXPECT_EQ(calls, 2);
}

TEST_F(HttpClientTest, DestructorCancels) {
  auto rdap = StartRdap({"--delay-ms", "5000"});
  int calls = 0;
  client_->Get(rdap->base_url() + "/_mode/slow/domain/example.com", LocalOptions(),
               [&](HttpResult r) {
                 ++calls;
                 EXPECT_EQ(r.failure, HttpFailure::kCancelled);
               });
  RunUntil([&] { return !rdap->ReadLog().empty(); }, 5000);
  client_.reset();
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace whois::rdap
