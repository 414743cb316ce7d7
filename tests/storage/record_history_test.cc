// RecordStore::Update (read-decide-write on the domain's worker) and the history it keeps:
// versions archived newest first, bounded, removed by Delete and FlushAll, surviving a reopen.
#include <gtest/gtest.h>

#include <optional>

#include "storage/record_store.h"
#include "tests/storage/record_store_fixture.h"
#include "tests/storage/test_loop.h"

namespace storage {
namespace {

using storage::testing::TestLoop;

Record Version(const std::string& owner, int64_t t) {
  Record r;
  r.status = RecordStatus::kRegistered;
  r.fetched_at_ms = t;
  r.stale_at_ms = t + 1000;
  r.json = "{\"owner\":\"" + owner + "\"}";
  r.chain = {{"whois.test", "x", "owner: " + owner, t}};
  return r;
}

class RecordHistoryTest : public RecordStoreTest {
 protected:
  // Stores `next`, archiving what is there when `archive`.
  std::pair<Status, RecordUpdate> Replace(const std::string& d, Record next, bool archive,
                                          size_t history_max = 8) {
    std::optional<std::pair<Status, RecordUpdate>> res;
    store_->Update(
        d,
        [next, archive](const Record*) {
          RecordUpdate u;
          u.put = next;
          u.archive_current = archive;
          return u;
        },
        history_max, [&](Status s, RecordUpdate u) { res.emplace(s, std::move(u)); });
    return Wait(res);
  }
  std::vector<Record> History(const std::string& d, size_t count = 100) {
    std::optional<std::pair<Status, std::vector<Record>>> res;
    store_->GetHistory(d, count, [&](Status s, std::vector<Record> v) { res.emplace(s, v); });
    auto [st, versions] = Wait(res);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return versions;
  }
  std::vector<RawReply> Chain(const std::string& d) { return GetChain(d).second; }
};

TEST_F(RecordHistoryTest, TheDecisionSeesTheCurrentRecordAndItsAnswerIsApplied) {
  std::optional<std::pair<Status, RecordUpdate>> res;
  bool saw_none = false;
  store_->Update(
      "a.com",
      [&saw_none](const Record* current) {
        saw_none = current == nullptr;
        return RecordUpdate{};
      },
      8, [&](Status s, RecordUpdate u) { res.emplace(s, std::move(u)); });
  auto [st, update] = Wait(res);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(saw_none);
  EXPECT_FALSE(update.put);
  EXPECT_TRUE(Get("a.com").first.IsNotFound());  // no put: nothing written
  EXPECT_EQ(store_->record_count(), 0u);

  ASSERT_TRUE(Replace("a.com", Version("first", 1), false).first.ok());
  EXPECT_EQ(store_->record_count(), 1u);
  // Keep the current record but change its back-off; its chain stays.
  res.reset();
  std::string seen_json;
  store_->Update(
      "a.com",
      [&seen_json](const Record* current) {
        seen_json = current ? current->json : "";
        RecordUpdate u;
        u.put = *current;
        u.put->refresh_failures = 3;
        u.put->refresh_after_ms = 99;
        u.keep_chain = true;
        return u;
      },
      8, [&](Status s, RecordUpdate u) { res.emplace(s, std::move(u)); });
  ASSERT_TRUE(Wait(res).first.ok());
  EXPECT_EQ(seen_json, "{\"owner\":\"first\"}");
  auto [gst, rec] = Get("a.com");
  ASSERT_TRUE(gst.ok());
  EXPECT_EQ(rec.refresh_failures, 3u);
  EXPECT_EQ(rec.refresh_after_ms, 99);
  ASSERT_EQ(Chain("a.com").size(), 1u);
  EXPECT_EQ(Chain("a.com")[0].text, "owner: first");
  EXPECT_EQ(store_->record_count(), 1u);
  EXPECT_TRUE(History("a.com").empty());
}

TEST_F(RecordHistoryTest, ArchivedVersionsComeBackNewestFirstAndBounded) {
  ASSERT_TRUE(Replace("a.com", Version("v0", 0), true).first.ok());  // nothing to archive yet
  EXPECT_TRUE(History("a.com").empty());
  Record with_back_off = Version("v1", 1);
  with_back_off.refresh_failures = 2;
  with_back_off.refresh_after_ms = 5;
  ASSERT_TRUE(Replace("a.com", with_back_off, true).first.ok());
  for (int i = 2; i < 6; ++i)
    ASSERT_TRUE(Replace("a.com", Version("v" + std::to_string(i), i), true, 3).first.ok());
  // v5 is current; v4, v3, v2 kept (3 at most); v0, v1 dropped.
  std::vector<Record> h = History("a.com");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].json, "{\"owner\":\"v4\"}");
  EXPECT_EQ(h[1].json, "{\"owner\":\"v3\"}");
  EXPECT_EQ(h[2].json, "{\"owner\":\"v2\"}");
  EXPECT_EQ(h[0].fetched_at_ms, 4);
  EXPECT_TRUE(h[0].chain.empty());
  EXPECT_EQ(History("a.com", 2).size(), 2u);
  // A replacement that is not archived leaves the history alone.
  ASSERT_TRUE(Replace("a.com", Version("v6", 6), false).first.ok());
  EXPECT_EQ(History("a.com")[0].json, "{\"owner\":\"v4\"}");
  // Another domain that extends this one's name has its own history.
  ASSERT_TRUE(Replace("a.com.au", Version("x", 1), false).first.ok());
  ASSERT_TRUE(Replace("a.com.au", Version("y", 2), true).first.ok());
  EXPECT_EQ(History("a.com").size(), 3u);
  EXPECT_EQ(History("a.com.au").size(), 1u);
  // history_max 0 keeps nothing new.
  ASSERT_TRUE(Replace("b.com", Version("x", 1), true, 0).first.ok());
  ASSERT_TRUE(Replace("b.com", Version("y", 2), true, 0).first.ok());
  EXPECT_TRUE(History("b.com").empty());
}

TEST_F(RecordHistoryTest, TheArchivedVersionDropsItsRefreshBackOff) {
  Record first = Version("v0", 0);
  first.refresh_failures = 4;
  first.refresh_after_ms = 77;
  ASSERT_TRUE(Replace("a.com", first, false).first.ok());
  ASSERT_TRUE(Replace("a.com", Version("v1", 1), true).first.ok());
  std::vector<Record> h = History("a.com");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].refresh_failures, 0u);
  EXPECT_EQ(h[0].refresh_after_ms, 0);
}

TEST_F(RecordHistoryTest, DeleteAndFlushRemoveTheHistoryAndItSurvivesAReopen) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Replace("a.com", Version("a" + std::to_string(i), i), true).first.ok());
    ASSERT_TRUE(Replace("b.com", Version("b" + std::to_string(i), i), true).first.ok());
  }
  store_.reset();
  loop_.RunPending();
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(History("a.com").size(), 2u);
  EXPECT_EQ(store_->record_count(), 2u);

  std::optional<std::pair<Status, bool>> del;
  store_->Delete("a.com", [&](Status s, bool existed) { del.emplace(s, existed); });
  auto [dst, existed] = Wait(del);
  ASSERT_TRUE(dst.ok());
  EXPECT_TRUE(existed);
  EXPECT_TRUE(History("a.com").empty());
  EXPECT_EQ(History("b.com").size(), 2u);
  // A new record of a deleted domain starts without history.
  ASSERT_TRUE(Replace("a.com", Version("new", 9), true).first.ok());
  EXPECT_TRUE(History("a.com").empty());

  std::optional<Status> flushed;
  store_->FlushAll([&](Status s) { flushed = s; });
  ASSERT_TRUE(Wait(flushed).ok());
  EXPECT_TRUE(History("b.com").empty());
  EXPECT_EQ(store_->record_count(), 0u);
}

TEST_F(RecordHistoryTest, UpdateRefusesNamesThatAreNotNormalised) {
  auto [st, u] = Replace("A.COM", Version("x", 1), false);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(store_->record_count(), 0u);
}

}  // namespace
}  // namespace storage
