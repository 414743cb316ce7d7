// Several source addresses: the `scope` of a limit, the budget keys it makes of addresses
// (IPv4 /24, IPv6 /48 and given prefixes), how a host's scheduler spreads starts over its
// budgets, and a start counting when its query is written (budget.h). Simulated time only.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "limits_test_support.h"
#include "whois/limits/budget_key.h"
#include "whois/limits/host_scheduler.h"
#include "whois/limits/limit_registry.h"

namespace whois::limits {
namespace {

const std::vector<std::string> kFour = {"127.0.1.1", "127.0.1.2", "127.0.2.1", "127.0.2.2"};

TEST(LimitScope, ParsesFormatsAndRoundTrips) {
  EXPECT_EQ(Spec("rate 5/s").scope.kind, ScopeKind::kAddress);
  EXPECT_EQ(FormatLimitSpec(Spec("rate 5/s scope address")), "rate 5/s");
  EXPECT_EQ(FormatLimitSpec(Spec("scope all rate 5/s")), "rate 5/s scope all");
  LimitSpec net = Spec("rate 1800/15m scope network");
  EXPECT_EQ(net.scope, (LimitScope{ScopeKind::kNetwork, 24, 48}));
  EXPECT_EQ(FormatLimitSpec(net), "rate 1800/15m scope network /24 /48");
  LimitSpec given = Spec("scope network /22 /56 daily 10");
  EXPECT_EQ(given.scope, (LimitScope{ScopeKind::kNetwork, 22, 56}));
  EXPECT_EQ(given.daily, 10);
  EXPECT_EQ(Spec("scope network /16 rate 1/s").scope, (LimitScope{ScopeKind::kNetwork, 16, 48}));
  for (const char* text : {"rate 5/s scope all", "scope network /20 /40 concurrency 2 rate 5/s",
                           "rate 1/s scope network /24 /48 daily 100 daily-reset utc"}) {
    LimitSpec spec = Spec(text);
    EXPECT_EQ(Spec(FormatLimitSpec(spec)), spec) << text;
  }
}

TEST(LimitScope, RejectsWithMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"rate 5/s scope", "'scope' needs a value"},
      {"rate 5/s scope world", "scope 'world': must be address, network [/V4] [/V6] or all"},
      {"rate 5/s scope network /33", "scope network '/33': the IPv4 prefix must be /1 to /32"},
      {"rate 5/s scope network /24 /129",
       "scope network '/129': the IPv6 prefix must be /1 to /128"},
      {"rate 5/s scope network /24 /48 /64",
       "scope network takes at most two prefixes (IPv4, then IPv6), e.g. /24 /48"},
      {"rate 5/s scope network /x", "scope network '/x': the IPv4 prefix must be /1 to /32"},
      {"scope all rate 5/s scope address", "'scope' given twice"},
      {"scope all", "a scope alone limits nothing; add concurrency N, rate N/<s|m|h|d> or daily N"},
  };
  for (const auto& [input, message] : cases) {
    auto parsed = ParseLimitSpec(Words(input));
    ASSERT_TRUE(!parsed.ok()) << input;
    EXPECT_EQ(parsed.status().message(), message) << input;
  }
}

TEST(BudgetKey, GroupsAddressesByScope) {
  const LimitScope address{}, all{ScopeKind::kAll}, network{ScopeKind::kNetwork, 24, 48};
  EXPECT_EQ(BudgetKey("127.0.1.1", address), "127.0.1.1");
  EXPECT_EQ(BudgetKey("127.0.1.1", all), "");
  EXPECT_EQ(BudgetKey("", address), "");  // the kernel's choice: one budget, as before sources
  EXPECT_EQ(BudgetKey("127.0.1.1", network), "127.0.1.0/24");
  EXPECT_EQ(BudgetKey("127.0.1.200", network), "127.0.1.0/24");
  EXPECT_NE(BudgetKey("127.0.2.1", network), BudgetKey("127.0.1.1", network));
  // IPv6 per /48: the first three groups decide.
  EXPECT_EQ(BudgetKey("2001:db8:1:2::5", network), "2001:db8:1::/48");
  EXPECT_EQ(BudgetKey("2001:db8:1:ffff:1::9", network), "2001:db8:1::/48");
  EXPECT_NE(BudgetKey("2001:db8:2::1", network), BudgetKey("2001:db8:1::1", network));
  // Given prefixes, also ones that cut a byte.
  const LimitScope wide{ScopeKind::kNetwork, 22, 33};
  EXPECT_EQ(BudgetKey("192.0.7.9", wide), "192.0.4.0/22");
  EXPECT_EQ(BudgetKey("192.0.3.9", wide), "192.0.0.0/22");
  EXPECT_EQ(BudgetKey("2001:db8:ffff::1", wide), "2001:db8:8000::/33");
  EXPECT_EQ(BudgetKey("::1", network), "::/48");
  EXPECT_EQ(BudgetLabel(""), "all");
  EXPECT_EQ(BudgetLabel("127.0.1.0/24"), "127.0.1.0/24");
}

TEST(BudgetKey, CanonicalAddresses) {
  EXPECT_EQ(CanonicalAddress("2001:DB8:0:0:0::1"), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("127.0.1.1"), "127.0.1.1");
  for (const char* bad : {"127.0.1", "[::1]", "127.0.0.1:43", "whois.example", ""}) {
    EXPECT_EQ(CanonicalAddress(bad), std::nullopt) << bad;
  }
}

TEST(SourceBudgets, TiesGoToTheLeastUsedSourceAndEachBudgetHasItsOwnLimit) {
  HostScheduler s("h", Spec("rate 2/s"), 64, kT0, kFour);
  EXPECT_EQ(s.budget_count(), 4u);
  std::map<size_t, int> used;
  for (RequestId id = 1; id <= 8; ++id) {
    auto a = s.Submit(id, Priority::kClient, kT0 + 10'000, kT0);
    ASSERT_TRUE(std::holds_alternative<Admitted>(a)) << id;
    ++used[std::get<Admitted>(a).source];
  }
  // Round robin by use: two each, the whole per-address limit of all four.
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(used[i], 2) << kFour[i];
  EXPECT_TRUE(std::holds_alternative<Queued>(s.Submit(9, Priority::kClient, kT0 + 10'000, kT0)));
  auto stats = s.Stats(kT0);
  ASSERT_EQ(stats.budgets.size(), 4u);
  EXPECT_EQ(stats.window_count, 8);
  EXPECT_EQ(stats.window_limit, 8);
  EXPECT_EQ(stats.budgets[0].addresses, std::vector<std::string>{"127.0.1.1"});
}

TEST(SourceBudgets, NetworkAndAllScopesShareBudgets) {
  HostScheduler net("h", Spec("rate 2/s scope network /24"), 64, kT0, kFour);
  EXPECT_EQ(net.budget_count(), 2u);
  int admitted = 0;
  std::set<std::string> networks;
  for (RequestId id = 1; id <= 8; ++id) {
    auto a = net.Submit(id, Priority::kClient, kT0 + 10'000, kT0);
    if (auto* ok = std::get_if<Admitted>(&a)) {
      ++admitted;
      networks.insert(BudgetKey(net.source(ok->source), net.spec().scope));
    }
  }
  EXPECT_EQ(admitted, 4);  // two /24s, 2 each
  EXPECT_EQ(networks, (std::set<std::string>{"127.0.1.0/24", "127.0.2.0/24"}));
  auto stats = net.Stats(kT0);
  ASSERT_EQ(stats.budgets.size(), 2u);
  EXPECT_EQ(stats.budgets[0].addresses, (std::vector<std::string>{"127.0.1.1", "127.0.1.2"}));

  HostScheduler all("h", Spec("rate 2/s scope all"), 64, kT0, kFour);
  EXPECT_EQ(all.budget_count(), 1u);
  admitted = 0;
  for (RequestId id = 1; id <= 8; ++id) {
    admitted +=
        std::holds_alternative<Admitted>(all.Submit(id, Priority::kClient, kT0 + 10'000, kT0));
  }
  EXPECT_EQ(admitted, 2);
}

TEST(SourceBudgets, ARefusalCoolsDownOnlyItsBudget) {
  HostScheduler s("h", Spec("concurrency 1 rate 10/s"), 64, kT0, {"127.0.1.1", "127.0.1.2"});
  auto first = std::get<Admitted>(s.Submit(1, Priority::kClient, kT0 + 60'000, kT0));
  auto second = std::get<Admitted>(s.Submit(2, Priority::kClient, kT0 + 60'000, kT0));
  EXPECT_NE(first.source, second.source);
  s.Release(first.source, kT0 + 10);
  s.OnOutcome(first.source, Outcome::kRefused, kT0 + 10, 30'000);
  s.Release(second.source, kT0 + 10);
  s.OnOutcome(second.source, Outcome::kOk, kT0 + 10);
  // Every start for the next 30 s goes out from the address that was not refused.
  for (RequestId id = 3; id < 13; ++id) {
    const int64_t now = kT0 + 200 * id;
    auto a = s.Submit(id, Priority::kClient, now + 60'000, now);
    ASSERT_TRUE(std::holds_alternative<Admitted>(a)) << id;
    EXPECT_EQ(std::get<Admitted>(a).source, second.source);
    s.Release(second.source, now + 1);
    s.OnOutcome(second.source, Outcome::kOk, now + 1);
  }
  auto stats = s.Stats(kT0 + 3000);
  EXPECT_GT(stats.budgets[first.source].cooldown_until_ms, kT0 + 3000);
  EXPECT_EQ(stats.budgets[second.source].cooldown_until_ms, 0);
  EXPECT_EQ(stats.refusals, 1);
  // With `scope all` the one budget is the whole proxy: a refusal stops every address.
  HostScheduler all("h", Spec("rate 10/s scope all"), 64, kT0, {"127.0.1.1", "127.0.1.2"});
  auto only = std::get<Admitted>(all.Submit(1, Priority::kClient, kT0 + 60'000, kT0));
  all.Release(only.source, kT0 + 10);
  all.OnOutcome(only.source, Outcome::kRefused, kT0 + 10, 30'000);
  EXPECT_TRUE(
      std::holds_alternative<Rejection>(all.Submit(2, Priority::kClient, kT0 + 5'000, kT0 + 20)));
}

TEST(SourceBudgets, AnUnsentStartHoldsItsSlotWhateverItsAge) {
  // count_when_sent: admitted at kT0, written 5 s later (a slow connect). Until then it counts
  // in the window; from then the window runs from the write.
  HostScheduler s("h", Spec("rate 1/s"), 64, kT0, {}, true);
  ASSERT_TRUE(std::holds_alternative<Admitted>(s.Submit(1, Priority::kClient, kT0 + 60'000, kT0)));
  auto q = s.Submit(2, Priority::kClient, kT0 + 60'000, kT0 + 5'000);
  ASSERT_TRUE(std::holds_alternative<Queued>(q));
  EXPECT_TRUE(s.Poll(kT0 + 5'000).empty());
  s.OnSent(0, kT0 + 5'000);
  EXPECT_TRUE(s.Poll(kT0 + 5'000 + 1'000).empty());
  EXPECT_EQ(s.NextWakeMs(kT0 + 5'001), kT0 + 5'000 + 1'000 + JitterMarginMs(1'000));
  EXPECT_EQ(s.Poll(kT0 + 6'000 + JitterMarginMs(1'000)).size(), 1u);
}

// Drives a scheduler like the gate does, with a random delay (0 to 3 windows) between a
// start's admission and its write, and checks by the writes' times, as a registry counting
// arrivals would, that no budget ever had more than its limit in any window.
void CheckWritesKeepTheLimit(const std::string& spec_text, size_t expected_budgets,
                             double expected_rate_per_s) {
  const LimitSpec spec = Spec(spec_text);
  HostScheduler s("h", spec, 4096, kT0, kFour, true);
  ASSERT_EQ(s.budget_count(), expected_budgets);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> delay(0, 3 * spec.rates[0].window_ms);
  std::uniform_int_distribution<int> slow(0, 9);
  std::multimap<int64_t, size_t> to_send;              // write time -> source
  std::multimap<int64_t, size_t> to_release;           // close time -> source
  std::map<std::string, std::vector<int64_t>> writes;  // by budget key
  RequestId next = 1;
  int64_t now = kT0;
  const int64_t end = kT0 + 10 * 60'000;
  auto started = [&](size_t source) {
    // Most writes follow at once; one in ten waits up to three windows.
    to_send.emplace(now + (slow(rng) == 0 ? delay(rng) : 0), source);
  };
  while (now < end) {
    while (s.QueuedCountForTest() < 200) {
      auto a = s.Submit(next++, Priority::kClient, now + 3'600'000, now);
      if (auto* ok = std::get_if<Admitted>(&a)) started(ok->source);
    }
    int64_t t = s.NextWakeMs(now);
    if (!to_send.empty()) t = std::min(t, to_send.begin()->first);
    if (!to_release.empty()) t = std::min(t, to_release.begin()->first);
    now = std::max(now, t);
    while (!to_send.empty() && to_send.begin()->first <= now) {
      const size_t source = to_send.begin()->second;
      to_send.erase(to_send.begin());
      s.OnSent(source, now);
      writes[BudgetKey(s.source(source), spec.scope)].push_back(now);
      to_release.emplace(now + 5, source);
    }
    while (!to_release.empty() && to_release.begin()->first <= now) {
      const size_t source = to_release.begin()->second;
      to_release.erase(to_release.begin());
      s.Release(source, now);
      s.OnOutcome(source, Outcome::kOk, now);
    }
    s.Expire(now);
    for (const Started& st : s.Poll(now)) started(st.source);
  }
  ASSERT_EQ(writes.size(), expected_budgets);
  size_t total = 0;
  for (const auto& [key, times] : writes) {
    for (size_t i = 0; i < spec.rates.size(); ++i) {
      const RateLimit& r = spec.rates[i];
      // A token bucket allows its burst on top of one window's refill.
      const int64_t most = i == 0 && spec.burst > 0 ? spec.burst + r.count : r.count;
      EXPECT_LE(MaxInAnyWindow(times, r.window_ms), most) << spec_text << " " << key;
    }
    total += times.size();
  }
  const double seconds = static_cast<double>(end - kT0) / 1000;
  // Slow writes hold their slots a while: at least 80% of the allowed rate, and never above it.
  EXPECT_GE(static_cast<double>(total), 0.8 * expected_rate_per_s * seconds) << spec_text;
  EXPECT_LE(static_cast<double>(total), expected_rate_per_s * seconds + 100) << spec_text;
}

TEST(SourceBudgets, WritesKeepEveryBudgetsLimitWhateverTheDelays) {
  CheckWritesKeepTheLimit("rate 5/s", 4, 4 * 5);
  CheckWritesKeepTheLimit("rate 5/s scope network /24", 2, 2 * 5);
  CheckWritesKeepTheLimit("rate 5/s scope all", 1, 5);
  CheckWritesKeepTheLimit("rate 3/s burst 6 rate 100/m", 4, 4 * 100.0 / 60);
}

TEST(SourceBudgets, DailyQuotaPerBudgetWithItsOwnKey) {
  LimitRegistry reg({.sources = {"127.0.1.1", "127.0.1.2"}, .count_when_sent = true}, kT0);
  reg.SetLimit("whois.test", Spec("daily 3"), kT0);
  EXPECT_TRUE(reg.RestoreQuota("whois.test", "v1;1700000000000:3", kT0, "127.0.1.1").ok());
  HostScheduler& s = reg.Scheduler("whois.test", kT0);
  std::vector<HostReservation> stored;
  auto store = [&](int64_t now) {
    for (HostReservation& r : reg.TakeReservations()) {
      EXPECT_EQ(r.key, LimitRegistry::QuotaKey("whois.test", r.budget));
      EXPECT_TRUE(reg.OnReserved(r.host, r.request.block, now, r.budget));
      stored.push_back(std::move(r));
    }
  };
  store(kT0);
  // 127.0.1.1 used its 3 today (restored): only 127.0.1.2 serves, 3 times.
  int admitted = 0;
  for (RequestId id = 1; id <= 6; ++id) {
    auto a = s.Submit(id, Priority::kClient, kT0 + 1000, kT0 + id);
    if (auto* ok = std::get_if<Admitted>(&a)) {
      EXPECT_EQ(s.source(ok->source), "127.0.1.2");
      ++admitted;
    }
    store(kT0 + id);
    for (const Started& st : s.Poll(kT0 + id)) {
      EXPECT_EQ(s.source(st.source), "127.0.1.2");
      ++admitted;
    }
  }
  EXPECT_EQ(admitted, 3);
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.front().key, "q:whois.test@127.0.1.2");
  EXPECT_EQ(LimitRegistry::QuotaKey("whois.test"), "q:whois.test");
  EXPECT_EQ(LimitRegistry::SplitQuotaKey("whois.test@127.0.1.0/24"),
            (std::pair<std::string, std::string>{"whois.test", "127.0.1.0/24"}));
  EXPECT_EQ(LimitRegistry::SplitQuotaKey("whois.test"),
            (std::pair<std::string, std::string>{"whois.test", ""}));
  auto stats = s.Stats(kT0 + 10);
  EXPECT_EQ(stats.used_today, 6);
  EXPECT_EQ(stats.daily_cap, 6);
}

TEST(SourceBudgets, AChangedScopeRegroupsAndKeepsKnownBudgets) {
  HostScheduler s("h", Spec("rate 2/s"), 64, kT0, kFour);
  for (RequestId id = 1; id <= 8; ++id) s.Submit(id, Priority::kClient, kT0 + 60'000, kT0);
  s.SetSpec(Spec("rate 2/s scope network"), kT0 + 100);
  EXPECT_EQ(s.budget_count(), 2u);
  // New budgets start full (their members may have just used them): nothing until a window.
  EXPECT_FALSE(
      std::holds_alternative<Admitted>(s.Submit(9, Priority::kClient, kT0 + 60'000, kT0 + 200)));
  s.Cancel(9);
  s.SetSpec(Spec("rate 2/s"), kT0 + 300);
  EXPECT_EQ(s.budget_count(), 4u);
  // The per-address budgets kept their history: full until kT0 + 1 s and its margin.
  EXPECT_FALSE(
      std::holds_alternative<Admitted>(s.Submit(10, Priority::kClient, kT0 + 60'000, kT0 + 400)));
  s.Cancel(10);
  EXPECT_TRUE(std::holds_alternative<Admitted>(
      s.Submit(11, Priority::kClient, kT0 + 60'000, kT0 + 1000 + JitterMarginMs(1000))));
}

}  // namespace
}  // namespace whois::limits
