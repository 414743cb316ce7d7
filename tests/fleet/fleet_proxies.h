// The fixture of the tests that run several real whois-proxy processes as a fleet: a fake WHOIS
// registry that logs every query with the client's address, and proxies started against it,
// each going upstream from its own loopback source address, sharing a Redis the test starts.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_process.h"
#include "redis_server.h"
#include "wait_until.h"

namespace fleet_test {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;
using test_support::RedisCall;
using test_support::ReplyText;
using test_support::WaitUntil;

inline const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar: Fleet Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n";

inline std::string Get(const ProxyProcess& proxy, const std::string& domain) {
  auto c = proxy.Connect();
  auto r = Command(c.get(), {"GET", domain});
  return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}

// One field of INFO's fleet section ("" when the proxy does not answer or has no such field).
inline std::string InfoField(const ProxyProcess& proxy, const std::string& field) {
  auto c = proxy.Connect();
  if (!c) return {};
  auto r = Command(c.get(), {"INFO", "fleet"});
  if (!r || r->type != REDIS_REPLY_STRING) return {};
  std::string text(r->str, r->len);
  // At a line's start: a field's name may end another's.
  size_t at = text.find("\n" + field + ":");
  if (at == std::string::npos) return {};
  at += field.size() + 2;
  return text.substr(at, text.find("\r\n", at) - at);
}

// The fake registry's log once every connection it accepted is closed: it logs a connection
// when it closes it, which may come after the proxy has read the answer and replied.
inline std::vector<fake_whois::LogEntry> SettledLog(const FakeWhoisProcess& registry) {
  EXPECT_TRUE(WaitUntil([&] {
    return registry.Control("stats").find(" active=0 ") != std::string::npos;
  })) << registry.Control("stats");
  return registry.ReadLog();
}

// Queries the fake registry received for `domain`, and from which client addresses.
inline std::vector<std::string> QueriesFor(const FakeWhoisProcess& registry,
                                           const std::string& domain) {
  std::vector<std::string> clients;
  for (const auto& e : SettledLog(registry))
    if (e.query == domain) clients.push_back(e.client);
  return clients;
}

class FleetProxiesTest : public ::testing::Test {
 protected:
  // Starts redis_ (again after a Stop: on the same port).
  void StartRedis() {
    std::string error;
    ASSERT_TRUE(redis_.Start(&error)) << error;
  }
  // Starts cluster_ and waits until it is formed.
  void StartCluster() {
    std::string error;
    ASSERT_TRUE(cluster_.Start(&error)) << error;
  }
  void StartRegistry() {
    registry_.SetDefaultResponse(kRegistryReply);
    ASSERT_TRUE(registry_.Start()) << registry_.error();
  }
  // Proxy i (counting those already started) goes upstream from 127.0.0.(11 + i); `extra`:
  // more directives for these proxies.
  void StartProxies(size_t n, const std::vector<std::string>& seeds,
                    const std::vector<std::string>& extra = {}) {
    for (size_t i = proxies_.size(), end = proxies_.size() + n; i < end; ++i) {
      std::vector<std::string> args = {
          "--tld-server", "test", "whois.nic.test", "--upstream-address", "whois.nic.test",
          "127.0.0.1:" + std::to_string(registry_.port()), "--upstream-source-address",
          "127.0.0." + std::to_string(11 + i), "--fleet-node-name", "proxy-" + std::to_string(i),
          // Generous: the servers may run under a sanitizer on a loaded machine.
          "--fleet-timeout", "5000", "--fleet-redis"};
      args.insert(args.end(), seeds.begin(), seeds.end());
      args.insert(args.end(), extra.begin(), extra.end());
      proxies_.push_back(std::make_unique<ProxyProcess>(args));
      ASSERT_TRUE(proxies_.back()->Start()) << proxies_.back()->log();
    }
  }
  // A record resolved on proxy 0 is answered by every other proxy without an upstream query.
  void ExpectSharedAcrossProxies(const std::string& domain, const std::function<bool()>& in_redis) {
    std::string first = Get(*proxies_[0], domain);
    ASSERT_NE(first.find("Fleet Registrar"), std::string::npos) << first;
    ASSERT_EQ(QueriesFor(registry_, domain), std::vector<std::string>{"127.0.0.11"});
    // Written to Redis in the background: wait for it.
    ASSERT_TRUE(WaitUntil(in_redis)) << domain << " never reached Redis";
    for (size_t i = 1; i < proxies_.size(); ++i) {
      std::string got = Get(*proxies_[i], domain);
      EXPECT_NE(got.find("Fleet Registrar"), std::string::npos) << got;
      EXPECT_NE(got.find("\"domain\":\"" + domain + "\""), std::string::npos) << got;
    }
    EXPECT_EQ(QueriesFor(registry_, domain).size(), 1u) << "asked upstream again";
  }

  // What the proxies share: a single Redis, or a Cluster of three masters (a test starts the one
  // it uses). Declared first, so they stop after the proxies.
  test_support::RedisServer redis_;
  test_support::RedisCluster cluster_{3};
  FakeWhoisProcess registry_;
  std::vector<std::unique_ptr<ProxyProcess>> proxies_;
};

}  // namespace fleet_test
