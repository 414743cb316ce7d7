#include "server/stale_policy.h"

#include <gtest/gtest.h>

namespace server {
namespace {

using storage::Record;
using storage::RecordStatus;

constexpr int64_t kSecond = 1000;
constexpr int64_t kDay = 24 * 3600 * kSecond;

Record Stored(RecordStatus status, int64_t fetched, int64_t ttl,
              const std::string& org = "Example GmbH") {
  Record r;
  r.status = status;
  r.fetched_at_ms = fetched;
  r.stale_at_ms = fetched + ttl;
  r.json = R"({"domain":"example.de","status":")" +
           std::string(status == RecordStatus::kRegistered ? "registered"
                       : status == RecordStatus::kNotFound ? "not_found"
                                                           : "fallback") +
           R"(","registrant":{"organization":")" + org + R"("}})";
  return r;
}

LookupAnswer Answer(RecordStatus status, int64_t now, const std::string& org = "Example GmbH") {
  LookupAnswer a;
  a.fetched = Stored(status, now, kDay, org);
  a.fetched.chain = {{"whois.test", "example.de", "text", now}};
  a.record.domain = "example.de";
  a.record.status = status == RecordStatus::kRegistered ? "registered"
                    : status == RecordStatus::kNotFound ? "not_found"
                                                        : "fallback";
  if (status != RecordStatus::kFallback) a.record.registrant.organization = org;
  a.now_ms = now;
  a.ttl_fallback_ms = 600 * kSecond;
  return a;
}

TEST(StalePolicyTest, OnlyKnowledgeIsServedStaleAndOnlyUntilMaxStale) {
  StaleSettings on{true, 10 * kDay};
  Record reg = Stored(RecordStatus::kRegistered, 0, kDay);
  EXPECT_TRUE(ServableStale(reg, kDay, on));
  EXPECT_TRUE(ServableStale(reg, 11 * kDay - 1, on));
  EXPECT_FALSE(ServableStale(reg, 11 * kDay, on));  // stale for max-stale: the client waits
  EXPECT_TRUE(ServableStale(Stored(RecordStatus::kNotFound, 0, kDay), kDay, on));
  EXPECT_FALSE(ServableStale(Stored(RecordStatus::kFallback, 0, kDay), kDay, on));
  StaleSettings off{false, 10 * kDay};
  EXPECT_FALSE(ServableStale(reg, kDay, off));
}

TEST(StalePolicyTest, RefreshStartsInTheLastTenthOfTheTtlAndWaitsForTheBackOff) {
  Record reg = Stored(RecordStatus::kRegistered, 1000, 30 * kDay);
  EXPECT_EQ(RefreshAtMs(reg), 1000 + 27 * kDay);
  reg.refresh_after_ms = 1000 + 40 * kDay;  // after failed refreshes
  EXPECT_EQ(RefreshAtMs(reg), 1000 + 40 * kDay);
  EXPECT_EQ(RefreshAtMs(Stored(RecordStatus::kFallback, 0, 600 * kSecond)), INT64_MAX);
}

TEST(StalePolicyTest, AStaleReplyEndsWithTheStaleField) {
  EXPECT_EQ(StaleJson(R"({"domain":"a.de","status":"registered"})"),
            R"({"domain":"a.de","status":"registered","stale":true})");
  EXPECT_EQ(StaleJson("{}"), R"({"stale":true})");
  std::string json = R"({"domain":"a.de"})";
  std::string bulk = "$" + std::to_string(json.size()) + "\r\n" + json + "\r\n";
  std::string stale = StaleJson(json);
  EXPECT_EQ(StaleBulk(bulk), "$" + std::to_string(stale.size()) + "\r\n" + stale + "\r\n");
}

TEST(StalePolicyTest, BackOffUsesTheNamedWaitElseDoublesFromTtlFallbackUpToADay) {
  const int64_t ttl_fallback = 600 * kSecond;
  EXPECT_EQ(RefreshBackOffMs(1, std::nullopt, ttl_fallback), 600 * kSecond);
  EXPECT_EQ(RefreshBackOffMs(2, std::nullopt, ttl_fallback), 1200 * kSecond);
  EXPECT_EQ(RefreshBackOffMs(4, std::nullopt, ttl_fallback), 4800 * kSecond);
  EXPECT_EQ(RefreshBackOffMs(20, std::nullopt, ttl_fallback), kMaxRefreshBackOffMs);
  EXPECT_EQ(RefreshBackOffMs(1000000, std::nullopt, ttl_fallback), kMaxRefreshBackOffMs);
  EXPECT_EQ(RefreshBackOffMs(5, 60, ttl_fallback), 60 * kSecond);
  EXPECT_EQ(RefreshBackOffMs(1, 0, ttl_fallback), 1 * kSecond);
  EXPECT_EQ(RefreshBackOffMs(1, 10 * kDay / 1000, ttl_fallback), kMaxRefreshBackOffMs);
}

TEST(StalePolicyTest, AFailureNeverReplacesKnowledge) {
  for (RecordStatus known : {RecordStatus::kRegistered, RecordStatus::kNotFound}) {
    Record current = Stored(known, 0, kDay);
    current.refresh_failures = 2;
    LookupAnswer failed = Answer(RecordStatus::kFallback, 5 * kDay);
    failed.retry_after_s = 30;
    EXPECT_TRUE(KeptRecord(&current, failed.fetched));
    storage::RecordUpdate u = DecideStore(&current, std::move(failed));
    ASSERT_TRUE(u.put);
    EXPECT_EQ(u.put->status, known);
    EXPECT_EQ(u.put->json, current.json);
    EXPECT_EQ(u.put->stale_at_ms, current.stale_at_ms);  // still stale: TTL stays 0
    EXPECT_EQ(u.put->refresh_failures, 3u);
    EXPECT_EQ(u.put->refresh_after_ms, 5 * kDay + 30 * kSecond);
    EXPECT_TRUE(u.keep_chain);
    EXPECT_FALSE(u.archive_current);
  }
}

TEST(StalePolicyTest, AFallbackIsStoredOnlyWhereNothingWasKnown) {
  storage::RecordUpdate u = DecideStore(nullptr, Answer(RecordStatus::kFallback, 5));
  ASSERT_TRUE(u.put);
  EXPECT_EQ(u.put->status, RecordStatus::kFallback);
  EXPECT_FALSE(u.keep_chain);
  Record old_fallback = Stored(RecordStatus::kFallback, 0, 600 * kSecond);
  EXPECT_FALSE(KeptRecord(&old_fallback, Answer(RecordStatus::kFallback, 5).fetched));
  u = DecideStore(&old_fallback, Answer(RecordStatus::kFallback, 5));
  EXPECT_EQ(u.put->fetched_at_ms, 5);
  EXPECT_FALSE(u.archive_current);  // a fallback is not a version worth keeping
  u = DecideStore(&old_fallback, Answer(RecordStatus::kRegistered, 5));
  EXPECT_EQ(u.put->status, RecordStatus::kRegistered);
  EXPECT_FALSE(u.archive_current);
}

TEST(StalePolicyTest, AnAnswerReplacesKnowledgeAndAChangeGoesToHistory) {
  Record current = Stored(RecordStatus::kRegistered, 0, kDay);
  current.refresh_failures = 4;
  current.refresh_after_ms = 99;
  // Same owner: replaced (fresh times, back-off cleared), not archived.
  storage::RecordUpdate u = DecideStore(&current, Answer(RecordStatus::kRegistered, 2 * kDay));
  EXPECT_EQ(u.put->fetched_at_ms, 2 * kDay);
  EXPECT_EQ(u.put->refresh_failures, 0u);
  EXPECT_EQ(u.put->refresh_after_ms, 0);
  EXPECT_EQ(u.put->chain.size(), 1u);
  EXPECT_FALSE(u.archive_current);
  // A new owner: archived.
  u = DecideStore(&current, Answer(RecordStatus::kRegistered, 2 * kDay, "New Owner AG"));
  EXPECT_TRUE(u.archive_current);
  // Deleted at the registry: not_found replaces registered, and the registered record is kept.
  u = DecideStore(&current, Answer(RecordStatus::kNotFound, 2 * kDay));
  EXPECT_EQ(u.put->status, RecordStatus::kNotFound);
  EXPECT_TRUE(u.archive_current);
  // A stored record that cannot be parsed is archived rather than lost.
  Record odd = current;
  odd.json = "not json";
  EXPECT_TRUE(DecideStore(&odd, Answer(RecordStatus::kRegistered, 2 * kDay)).archive_current);
}

}  // namespace
}  // namespace server
