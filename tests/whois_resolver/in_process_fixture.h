// The resolver, its sources and the upstream gate in one process, over fake transports and a
// manual clock: what the in-process tests of tests/whois_resolver share. Nothing touches the
// network; every answer comes from a script the test writes, on a later loop turn as the real
// transports answer.
//
//   InProcessResolver r("rdap-first");
//   r.whois.Reply("whois.nic.test", "Domain Name: EXAMPLE.TEST\n...");
//   whois::LookupResult got = r.Lookup("example.test");
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "uv_test_loop.h"
#include "whois/directory/tld_directory.h"
#include "whois/limits/limit_registry.h"
#include "whois/limits/limit_spec.h"
#include "whois/rdap/bootstrap.h"
#include "whois/rdap/http_transport.h"
#include "whois/resolver/lookup_order.h"
#include "whois/resolver/rdap_source.h"
#include "whois/resolver/resolver.h"
#include "whois/resolver/run_soon.h"
#include "whois/resolver/upstream_gate.h"
#include "whois/resolver/whois_source.h"
#include "whois/upstream/whois_transport.h"

namespace whois_resolver_test {

// A wall-clock time (epoch ms) the manual clock starts from.
inline constexpr int64_t kT0 = 1'700'000'000'000;

// Answers each host's queries from a script: a reply text, or a failure; a held host keeps its
// queries unanswered until Release(). A host with no script is unreachable.
class FakeWhoisTransport : public whois::WhoisTransport {
 public:
  explicit FakeWhoisTransport(uv_loop_t* loop) : loop_(loop) {}
  ~FakeWhoisTransport() override { *alive_ = false; }

  void Reply(const std::string& host, std::string text) { replies_[host] = std::move(text); }
  void Fail(const std::string& host, whois::UpstreamFailure failure) { failures_[host] = failure; }
  void Hold(const std::string& host) { held_hosts_[host] = true; }
  // Answers the held queries to `host` from its script, and stops holding it.
  void Release(const std::string& host) {
    held_hosts_.erase(host);
    std::vector<Held> held = std::move(held_[host]);
    held_.erase(host);
    for (Held& h : held) Answer(h.target, std::move(h.options), std::move(h.done));
  }
  // Answers every held query as cancelled (what shutdown does to the real client).
  void CancelAll() {
    auto held = std::move(held_);
    held_.clear();
    for (auto& [host, list] : held)
      for (Held& h : list) {
        whois::UpstreamResult r;
        r.failure = whois::UpstreamFailure::kCancelled;
        r.error = "cancelled";
        h.done(std::move(r));
      }
  }

  // "host query" of every query sent, in order.
  const std::vector<std::string>& sent() const { return sent_; }

  void Query(const whois::UpstreamTarget& target, std::string query,
             const whois::UpstreamOptions& options, Callback done) override {
    sent_.push_back(target.host + " " + query);
    if (held_hosts_.contains(target.host)) {
      // Written, and no answer yet: a query in flight.
      if (options.on_sent) {
        whois::RunSoon(loop_, [alive = alive_, sent = options.on_sent] {
          if (*alive) sent();
        });
      }
      whois::UpstreamOptions answered = options;
      answered.on_sent = nullptr;
      held_[target.host].push_back({target, std::move(answered), std::move(done)});
      return;
    }
    Answer(target, options, std::move(done));
  }

 private:
  struct Held {
    whois::UpstreamTarget target;
    whois::UpstreamOptions options;
    Callback done;
  };
  // On a later loop turn, as UpstreamClient does: written (on_sent), then answered.
  void Answer(const whois::UpstreamTarget& target, whois::UpstreamOptions options, Callback done) {
    whois::UpstreamResult r;
    if (auto f = failures_.find(target.host); f != failures_.end()) {
      r.failure = f->second;
      r.error = "scripted failure";
    } else if (auto t = replies_.find(target.host); t != replies_.end()) {
      r.text = t->second;
    } else {
      r.failure = whois::UpstreamFailure::kUnreachable;
      r.error = "no script for " + target.host;
    }
    whois::RunSoon(loop_, [alive = alive_, sent = std::move(options.on_sent),
                           done = std::move(done), r = std::move(r)]() mutable {
      if (!*alive) return;
      if (r.failure == whois::UpstreamFailure::kNone && sent) sent();
      done(std::move(r));
    });
  }

  uv_loop_t* loop_;
  std::map<std::string, std::string> replies_;
  std::map<std::string, whois::UpstreamFailure> failures_;
  std::map<std::string, bool> held_hosts_;
  std::map<std::string, std::vector<Held>> held_;
  std::vector<std::string> sent_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Answers each URL from a script (status and body); a URL with none is unreachable.
class FakeHttpTransport : public whois::rdap::HttpTransport {
 public:
  explicit FakeHttpTransport(uv_loop_t* loop) : loop_(loop) {}
  ~FakeHttpTransport() override { *alive_ = false; }

  void Reply(const std::string& url, long status, std::string body) {
    replies_[url] = {status, std::move(body)};
  }
  const std::vector<std::string>& fetched() const { return fetched_; }

  void Get(std::string url, const whois::rdap::HttpRequestOptions& options,
           Callback done) override {
    fetched_.push_back(url);
    whois::rdap::HttpResult r;
    if (auto it = replies_.find(url); it != replies_.end()) {
      r.status = it->second.first;
      r.body = it->second.second;
    } else {
      r.failure = whois::rdap::HttpFailure::kUnreachable;
      r.error = "no script for " + url;
    }
    whois::RunSoon(loop_, [alive = alive_, sent = options.on_sent, done = std::move(done),
                           r = std::move(r)]() mutable {
      if (!*alive) return;
      if (r.failure == whois::rdap::HttpFailure::kNone && sent) sent();
      done(std::move(r));
    });
  }

 private:
  uv_loop_t* loop_;
  std::map<std::string, std::pair<long, std::string>> replies_;
  std::vector<std::string> fetched_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The graph LookupService builds, for the TLD .test: WHOIS at whois.nic.test (from the
// directory), RDAP at http://rdap.nic.test/ (from the bootstrap), in `lookup_order`.
class InProcessResolver {
 public:
  static constexpr const char* kWhoisHost = "whois.nic.test";
  static constexpr const char* kRdapBase = "http://rdap.nic.test/";

  explicit InProcessResolver(const std::string& lookup_order = "rdap-first")
      : whois(loop.get()), http(loop.get()), registry_(RegistryOptionsForTests(), kT0) {
    auto clock = [this] { return now_ms; };
    // The built-in default ("rate 1/s") would hold a second query to a host until the manual
    // clock moves: tests about limits set their own with SetLimit.
    SetDefaultLimit("concurrency 8");
    gate_ = std::make_unique<whois::UpstreamGate>(
        loop.get(), &whois, &registry_, clock,
        [this](std::string key, std::string, std::function<void(bool)> done) {
          persisted.push_back(key);
          whois::RunSoon(loop.get(), [done = std::move(done)] { done(true); });
        });
    whois::TldDirectory directory = whois::TldDirectory::Empty();
    whois::ServerEntry entry;
    entry.tld = "test";
    entry.host = kWhoisHost;
    entry.origin = whois::ServerEntry::Origin::kOverride;
    EXPECT_TRUE(directory.Set(entry).ok());
    whois_source_ = std::make_unique<whois::WhoisSource>(
        loop.get(), gate_.get(), std::move(directory), whois::WhoisSourceOptions{}, clock, nullptr);
    whois::rdap::RdapBootstrap bootstrap;
    EXPECT_TRUE(bootstrap.Set("test", kRdapBase).ok());
    rdap_source_ = std::make_unique<whois::RdapSource>(gate_.get(), &http, std::move(bootstrap),
                                                       whois::RdapSourceOptions{}, clock);
    const whois::LookupOrderRow* order = whois::FindLookupOrder(lookup_order);
    EXPECT_NE(order, nullptr) << lookup_order;
    whois::LookupSource* available[] = {rdap_source_.get(), whois_source_.get()};
    std::vector<whois::LookupSource*> sources;
    if (order != nullptr) sources = whois::SourcesInOrder(*order, available);
    resolver_ = std::make_unique<whois::Resolver>(std::move(sources), whois_source_.get());
  }

  ~InProcessResolver() {
    // As the lookup service does at shutdown: every pending callback fires before the graph
    // goes, in the order callbacks reach into each other.
    gate_->CancelQueued();
    whois.CancelAll();
    resolver_.reset();
    rdap_source_.reset();
    whois_source_.reset();
    gate_.reset();
  }

  static whois::limits::LimitSpec Spec(const std::string& words) {
    std::vector<std::string> list;
    for (size_t pos = 0; pos < words.size();) {
      size_t end = words.find(' ', pos);
      if (end == std::string::npos) end = words.size();
      if (end > pos) list.push_back(words.substr(pos, end - pos));
      pos = end + 1;
    }
    auto spec = whois::limits::ParseLimitSpec(list);
    EXPECT_TRUE(spec.ok()) << words;
    return spec.value_or(whois::limits::LimitSpec{});
  }

  static whois::limits::RegistryOptions RegistryOptionsForTests() {
    whois::limits::RegistryOptions o;
    o.assume_full_at_start = false;  // a fresh run: no earlier process to respect
    o.count_when_sent = true;        // as the proxy runs
    return o;
  }

  // Operator limits for `host`, written as the directive's words ("rate 1/m").
  void SetLimit(const std::string& host, const std::string& words) {
    registry_.SetLimit(host, Spec(words), now_ms);
  }
  void SetDefaultLimit(const std::string& words) { registry_.SetDefaultLimit(Spec(words), now_ms); }

  // Requests waiting in `host`'s queue at the gate.
  int64_t Queued(const std::string& host) const {
    for (const auto& [name, stats] : registry_.Stats(now_ms))
      if (name == host) return static_cast<int64_t>(stats.queued);
    return 0;
  }

  // Starts a lookup of `domain` (in .test); the result lands in the returned slot.
  std::shared_ptr<std::optional<whois::LookupResult>> Start(
      const std::string& domain, int64_t wait_ms = 5000,
      whois::limits::Priority priority = whois::limits::Priority::kClient) {
    auto slot = std::make_shared<std::optional<whois::LookupResult>>();
    resolver_->Lookup(
        domain, "test", now_ms + wait_ms,
        [slot](whois::LookupResult r) {
          EXPECT_FALSE(slot->has_value()) << "done called twice";
          *slot = std::move(r);
        },
        priority);
    return slot;
  }

  // Takes the only slot at `host` (limit "concurrency 1") with a query the host holds
  // unanswered; its result lands in the returned slot once the host is released.
  std::shared_ptr<std::optional<whois::LookupResult>> OccupyOnlySlot(const std::string& host) {
    whois.Hold(host);
    SetLimit(host, "concurrency 1");
    size_t before = whois.sent().size();
    auto first = Start("a.test", 5000);
    EXPECT_TRUE(loop.RunUntil([&] { return whois.sent().size() == before + 1; }));
    return first;
  }

  // Runs a lookup to its end.
  whois::LookupResult Lookup(const std::string& domain, int64_t wait_ms = 5000) {
    auto slot = Start(domain, wait_ms);
    EXPECT_TRUE(loop.RunUntil([&] { return slot->has_value(); })) << "lookup of " << domain;
    return slot->value_or(whois::LookupResult{});
  }

  whois::Resolver& resolver() { return *resolver_; }
  whois::UpstreamGate& gate() { return *gate_; }
  whois::WhoisSource& whois_source() { return *whois_source_; }
  whois::RdapSource& rdap_source() { return *rdap_source_; }

  test_support::UvTestLoop loop;
  int64_t now_ms = kT0;
  FakeWhoisTransport whois;
  FakeHttpTransport http;
  std::vector<std::string> persisted;  // keys of daily quota reservations stored

 private:
  whois::limits::LimitRegistry registry_;
  std::unique_ptr<whois::UpstreamGate> gate_;
  std::unique_ptr<whois::WhoisSource> whois_source_;
  std::unique_ptr<whois::RdapSource> rdap_source_;
  std::unique_ptr<whois::Resolver> resolver_;
};

}  // namespace whois_resolver_test
