#include "server/background_plan.h"

#include <gtest/gtest.h>

namespace server {
namespace {

std::vector<std::string> Domains(const std::vector<BackgroundJob>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.domain);
  return out;
}

auto Cap(size_t n) {
  return [n](const std::string&) { return n; };
}

TEST(BackgroundPlanTest, StaleRefreshesGoFirstThenPrefetchesThenRefreshesAhead) {
  BackgroundPlan plan;
  EXPECT_TRUE(plan.Add("h", "ahead.test", BackgroundKind::kAhead));
  plan.AddPrefetch("h", "p1.test", 1);
  plan.AddPrefetch("h", "p2.test", 2);
  EXPECT_TRUE(plan.Add("h", "stale.test", BackgroundKind::kStale));
  EXPECT_EQ(plan.waiting(BackgroundKind::kPrefetch), 2u);
  auto jobs = plan.Take(0, Cap(10));
  EXPECT_EQ(Domains(jobs),
            (std::vector<std::string>{"stale.test", "p1.test", "p2.test", "ahead.test"}));
  EXPECT_EQ(jobs[1].seq, 1u);
  EXPECT_EQ(plan.running(BackgroundKind::kPrefetch), 2u);
  EXPECT_EQ(plan.waiting(BackgroundKind::kPrefetch), 0u);
}

TEST(BackgroundPlanTest, AtMostCapJobsRunPerHostAndHostsAreIndependent) {
  BackgroundPlan plan;
  for (int i = 0; i < 5; ++i) plan.AddPrefetch("a", "a" + std::to_string(i) + ".test", i + 1);
  for (int i = 0; i < 3; ++i) plan.AddPrefetch("b", "b" + std::to_string(i) + ".test", i + 1);
  auto cap = [](const std::string& host) -> size_t { return host == "a" ? 2 : 1; };
  auto jobs = plan.Take(0, cap);
  EXPECT_EQ(Domains(jobs), (std::vector<std::string>{"a0.test", "a1.test", "b0.test"}));
  EXPECT_TRUE(plan.Take(0, cap).empty());  // every host at its cap
  plan.Finished(jobs[0]);
  EXPECT_EQ(Domains(plan.Take(0, cap)), std::vector<std::string>{"a2.test"});  // FIFO
  plan.Finished(jobs[2]);
  EXPECT_EQ(Domains(plan.Take(0, cap)), std::vector<std::string>{"b1.test"});
  auto hosts = plan.Hosts();
  EXPECT_EQ(hosts.at("a").running, 2u);
  EXPECT_EQ(hosts.at("a").waiting[static_cast<size_t>(BackgroundKind::kPrefetch)], 2u);
  EXPECT_EQ(hosts.at("a").running_by_kind[static_cast<size_t>(BackgroundKind::kPrefetch)], 2u);
  // A cap of 0 still lets one run: work never stalls on a misconfigured host.
  BackgroundPlan other;
  other.AddPrefetch("c", "c.test", 1);
  EXPECT_EQ(other.Take(0, Cap(0)).size(), 1u);
}

TEST(BackgroundPlanTest, ADomainHasOneRefreshAtATimeAndLanesAreBounded) {
  BackgroundPlan plan;
  EXPECT_TRUE(plan.Add("h", "a.test", BackgroundKind::kStale));
  EXPECT_FALSE(plan.Add("h", "a.test", BackgroundKind::kStale));
  EXPECT_FALSE(plan.Add("h", "a.test", BackgroundKind::kAhead));
  EXPECT_TRUE(plan.IsQueued("a.test"));
  auto jobs = plan.Take(0, Cap(1));
  EXPECT_FALSE(plan.Add("h", "a.test", BackgroundKind::kStale));  // still running
  plan.Finished(jobs[0]);
  EXPECT_FALSE(plan.IsQueued("a.test"));
  EXPECT_TRUE(plan.Add("h", "a.test", BackgroundKind::kStale));

  BackgroundPlan full;
  for (size_t i = 0; i < BackgroundPlan::kMaxRefreshesPerHost; ++i)
    ASSERT_TRUE(full.Add("h", std::to_string(i) + ".test", BackgroundKind::kAhead));
  EXPECT_FALSE(full.Add("h", "one-more.test", BackgroundKind::kAhead));
  EXPECT_TRUE(full.Add("other", "one-more.test", BackgroundKind::kAhead));
  // ... and in all.
  for (size_t i = full.waiting(BackgroundKind::kAhead); i < BackgroundPlan::kMaxRefreshes; ++i)
    ASSERT_TRUE(full.Add("host" + std::to_string(i % 7), "x" + std::to_string(i) + ".test",
                         BackgroundKind::kStale));
  EXPECT_FALSE(full.Add("fresh-host", "last.test", BackgroundKind::kStale));
}

TEST(BackgroundPlanTest, APausedHostStartsNothingUntilThePauseEnds) {
  BackgroundPlan plan;
  plan.AddPrefetch("h", "p1.test", 1);
  plan.AddPrefetch("h", "p2.test", 2);
  auto jobs = plan.Take(1000, Cap(1));
  ASSERT_EQ(jobs.size(), 1u);
  // Our limits refused it: back to the front, and the host waits 5 s.
  plan.Pause("h", 6000);
  plan.Requeue(jobs[0]);
  plan.Pause("h", 3000);  // a shorter pause does not shorten the first
  EXPECT_EQ(plan.NextWakeMs(1000), 6000);
  EXPECT_TRUE(plan.Take(5999, Cap(1)).empty());
  EXPECT_EQ(plan.Add("h", "s.test", BackgroundKind::kStale), true);
  EXPECT_TRUE(plan.Take(5999, Cap(1)).empty());
  EXPECT_EQ(Domains(plan.Take(6000, Cap(3))),
            (std::vector<std::string>{"s.test", "p1.test", "p2.test"}));
  EXPECT_EQ(plan.NextWakeMs(6000), INT64_MAX);
}

TEST(BackgroundPlanTest, APauseOutlivesTheLastJobOfItsHost) {
  BackgroundPlan plan;
  plan.Add("h", "a.test", BackgroundKind::kStale);
  auto jobs = plan.Take(0, Cap(1));
  plan.Pause("h", 5000);
  plan.Finished(jobs[0]);
  // Work that arrives during the pause waits for its end.
  plan.Add("h", "b.test", BackgroundKind::kStale);
  EXPECT_TRUE(plan.Take(4999, Cap(1)).empty());
  EXPECT_EQ(plan.NextWakeMs(0), 5000);
  EXPECT_EQ(plan.Take(5000, Cap(1)).size(), 1u);
}

}  // namespace
}  // namespace server
