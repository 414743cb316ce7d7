// The fixture of a test that runs the real proxy in front of one fake registry: IANA (a
// fake-whois) refers .test to whois.nic.test, another fake-whois. Tests start the fakes with
// their answers, then the proxy with their own directives. Header-only: a test using it links
// wp_test_proxy and wp_test_fake_whois.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "proxy_process.h"
#include "temp_dir.h"

namespace test_support {

// The directives that point a proxy at fake IANA and registry servers (whois.nic.test at
// `registry_address` if given, e.g. a closed port), with no bundled directory.
inline std::vector<std::string> FakeUpstreamArgs(const fake_whois::FakeWhoisProcess& iana,
                                                 const fake_whois::FakeWhoisProcess& registry,
                                                 const std::string& registry_address = "") {
  return {"--bundled-directory",
          "no",
          "--upstream-address",
          "whois.iana.org",
          LoopbackAddress(iana),
          "--upstream-address",
          "whois.nic.test",
          registry_address.empty() ? LoopbackAddress(registry) : registry_address};
}

// The directives that send every .test name straight to `registry` as whois.nic.test, with no
// IANA to ask (for tests where the referral is not the point).
inline std::vector<std::string> TldServerArgs(const fake_whois::FakeWhoisProcess& registry) {
  return {"--tld-server",       "test",           "whois.nic.test",
          "--upstream-address", "whois.nic.test", LoopbackAddress(registry)};
}

// A proxy with every .test name sent straight to one fake registry (TldServerArgs), and a
// connection to it, for tests of what the proxy does with the answers.
class TldServerProxyTest : public ::testing::Test {
 protected:
  // Starts the registry, answering `reply` to every query, then the proxy with `args` besides.
  void StartProxy(const std::string& reply, const std::vector<std::string>& args = {}) {
    registry_.SetDefaultResponse(reply);
    ASSERT_TRUE(registry_.Start()) << registry_.error();
    std::vector<std::string> all = TldServerArgs(registry_);
    all.insert(all.end(), args.begin(), args.end());
    proxy_ = std::make_unique<ProxyProcess>(std::move(all));
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }

  fake_whois::FakeWhoisProcess registry_;
  std::unique_ptr<ProxyProcess> proxy_;  // stopped before the registry
  ProxyProcess::Redis c_;
};

// A proxy whose IANA (a fake-whois) refers .test to whois.nic.test, another fake-whois: the
// registry. Tests start the fakes, then the proxy with their own directives.
class OneRegistryTest : public ::testing::Test {
 protected:
  // Starts IANA and the registry (with `registry_args`); the registry answers `reply` to every
  // query but those in `answers` (query -> reply).
  void StartRegistry(const std::string& reply, std::vector<std::string> registry_args = {},
                     const std::map<std::string, std::string>& answers = {}) {
    iana_ = std::make_unique<fake_whois::FakeWhoisProcess>();
    iana_->AddResponse("test", "domain: TEST\r\n\r\nwhois: whois.nic.test\r\n");
    registry_ = std::make_unique<fake_whois::FakeWhoisProcess>(registry_args);
    registry_->SetDefaultResponse(reply);
    for (const auto& [query, answer] : answers) registry_->AddResponse(query, answer);
    ASSERT_TRUE(iana_->Start()) << iana_->error();
    ASSERT_TRUE(registry_->Start()) << registry_->error();
  }
  // The directives that point the proxy at the fakes (whois.nic.test at `registry` if given,
  // e.g. a closed port), with no bundled directory.
  std::vector<std::string> UpstreamArgs(const std::string& registry = "") const {
    return FakeUpstreamArgs(*iana_, *registry_, registry);
  }
  // Starts the proxy with `args` on the test's data directory.
  void StartProxyWith(std::vector<std::string> args) {
    proxy_ = std::make_unique<ProxyProcess>(std::move(args), dir_.path());
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  }

  // GETs every domain at once (pipelined over a few connections); returns the replies in order
  // ("" where a reply was not a string).
  std::vector<std::string> GetAll(const std::vector<std::string>& domains) {
    constexpr size_t kConnections = 4;
    std::vector<ProxyProcess::Redis> conns;
    for (size_t i = 0; i < kConnections; ++i) conns.push_back(proxy_->Connect());
    for (size_t i = 0; i < domains.size(); ++i)
      redisAppendCommand(conns[i % kConnections].get(), "GET %s", domains[i].c_str());
    std::vector<std::string> replies(domains.size());
    for (size_t i = 0; i < domains.size(); ++i) {
      redisReply* r = nullptr;
      if (redisGetReply(conns[i % kConnections].get(), reinterpret_cast<void**>(&r)) != REDIS_OK)
        continue;
      if (r->type == REDIS_REPLY_STRING) replies[i] = std::string(r->str, r->len);
      freeReplyObject(r);
    }
    return replies;
  }
  // prefix0.test, prefix1.test, ... (n names).
  static std::vector<std::string> Domains(const std::string& prefix, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i) + ".test");
    return out;
  }
  // How many of `replies` contain `what`.
  static int Count(const std::vector<std::string>& replies, const std::string& what) {
    int n = 0;
    for (const auto& r : replies) n += r.find(what) != std::string::npos;
    return n;
  }
  // How many queries the registry refused.
  size_t Refusals() const {
    size_t n = 0;
    for (const auto& e : registry_->ReadLog()) n += e.outcome.rfind("refused", 0) == 0;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<fake_whois::FakeWhoisProcess> iana_, registry_;
  std::unique_ptr<ProxyProcess> proxy_;
};

}  // namespace test_support
