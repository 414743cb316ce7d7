// The real whois-proxy on a record store written before packed values (layout 1, as earlier
// versions wrote it): it serves every record unchanged while it repacks them in the background,
// says how far it is in INFO, and the next start has nothing left to do.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy_probe.h"
#include "proxy_process.h"
#include "storage/record_store.h"
#include "tests/storage/test_loop.h"
#include "wait_until.h"

namespace {

using hardening::InfoInt;
using hardening::Pipeline;
using hardening::RecordJson;
using hardening::ReplyText;
using test_support::ProxyProcess;
using test_support::TempDir;

std::string Name(int i) { return "u" + std::to_string(i) + ".test"; }

// Writes `n` records into a new store in `dir` as a store before packing does (no dictionary:
// layout 1, plain heads, Snappy blocks); returns each record's JSON.
std::map<std::string, std::string> WriteLayoutOneStore(const std::string& dir, int n) {
  storage::testing::TestLoop loop;
  storage::StoreOptions o;
  o.dir = dir;
  std::unique_ptr<storage::RecordStore> store;
  storage::Status st = storage::RecordStore::Open(o, loop.post(), &store);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::map<std::string, std::string> json;
  if (!st.ok()) return json;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    storage::Record r;
    r.imported = true;
    r.fetched_at_ms = 1700000000000;
    r.stale_at_ms = 4000000000000;  // fresh for decades
    r.json = RecordJson(Name(i), 1 + i % 3);
    json[Name(i)] = r.json;
    if (i % 4 == 0) r.chain = {{"whois.nic.test", Name(i), "Domain Name: " + Name(i) + "\n", 1}};
    store->Put(Name(i), std::move(r), [&](storage::Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++done;
    });
  }
  loop.RunUntil([&] { return done == n; });
  store.reset();
  loop.RunPending();
  return json;
}

void ExpectServed(redisContext* c, const std::map<std::string, std::string>& want) {
  std::vector<std::vector<std::string>> gets;
  for (const auto& [domain, json] : want) gets.push_back({"GET", domain});
  auto replies = Pipeline(c, gets);
  size_t i = 0;
  for (const auto& [domain, json] : want) EXPECT_EQ(ReplyText(replies[i++].get()), json) << domain;
}

TEST(StoreUpgrade, AStoreFromBeforePackingIsServedUnchangedWhileItIsRepacked) {
  TempDir base;
  const std::string dir = base.path() + "/data";
  constexpr int kRecords = 4000;
  const auto want = WriteLayoutOneStore(dir, kRecords);
  ASSERT_EQ(want.size(), static_cast<size_t>(kRecords));

  {
    ProxyProcess proxy({}, dir);
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    ExpectServed(c.get(), want);
    ASSERT_TRUE(test_support::WaitUntil([&] {
      return InfoInt(c.get(), "persistence", "store_repacking") == 0;
    })) << proxy.log();
    // Every head and every chain (one record in four has one).
    EXPECT_EQ(InfoInt(c.get(), "persistence", "store_repacked_values"), kRecords + kRecords / 4);
    ExpectServed(c.get(), want);
    auto dbsize = test_support::Command(c.get(), {"DBSIZE"});
    ASSERT_TRUE(dbsize);
    EXPECT_EQ(dbsize->integer, kRecords);
    EXPECT_EQ(proxy.Stop(), 0) << proxy.log();
    EXPECT_NE(proxy.log().find("repacked " + std::to_string(kRecords + kRecords / 4) + " values"),
              std::string::npos)
        << proxy.log();
  }
  // Nothing is left to repack at the next start, and everything is still there.
  ProxyProcess again({}, dir);
  ASSERT_TRUE(again.Start()) << again.log();
  auto c = again.Connect();
  ASSERT_TRUE(c);
  EXPECT_EQ(InfoInt(c.get(), "persistence", "store_repacking"), 0);
  EXPECT_EQ(InfoInt(c.get(), "persistence", "store_repacked_values"), 0);
  ExpectServed(c.get(), want);
}

}  // namespace
