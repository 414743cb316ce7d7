// A store that packs its values (storage/value_packer.h): what it writes, and how it turns a
// store written before packing (layout 1) into a packed one without losing or undoing anything.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/iterator.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/key_layout.h"
#include "storage/record_codec.h"
#include "tests/storage/record_store_fixture.h"
#include "tests/support/wait_until.h"

namespace storage {
namespace {

constexpr uint8_t kDictionaryId = 9;

std::string RecordText(const std::string& domain, int i) {
  return R"({"domain":")" + domain + R"(","status":"registered","registrar":{"name":"Example )" +
         R"(Registrar, Inc."},"nameservers":["ns1.hosting.example","ns2.hosting.example"],)" +
         R"("created":"2009-03-1)" + std::to_string(i % 10) + R"(T10:22:31Z"})";
}

std::string Dictionary() {
  std::string d;
  for (int i = 0; i < 8; ++i) d += RecordText("example" + std::to_string(i) + ".com", i);
  return d;
}

// Every value key and its value, read with LevelDB itself (the store closed).
std::map<std::string, std::string> RawValues(const std::string& dir) {
  std::map<std::string, std::string> out;
  leveldb::DB* raw = nullptr;
  leveldb::Options o;
  if (!leveldb::DB::Open(o, dir, &raw).ok()) {
    ADD_FAILURE() << "cannot open " << dir;
    return out;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString()] = it->value().ToString();
  return out;
}

uint8_t Version(const std::string& value) {
  return value.empty() ? 0 : static_cast<uint8_t>(value[0]);
}

class PackingStoreTest : public RecordStoreTest {
 protected:
  void SetUp() override {}  // each test opens its stores itself, packing or not

  Status OpenPacking(bool pack) {
    store_.reset();
    loop_.RunPending();
    head_dictionaries_.clear();
    head_dictionary_ = 0;
    if (pack) {
      head_dictionaries_ = {{kDictionaryId, Dictionary()}};
      head_dictionary_ = kDictionaryId;
    }
    return Open();
  }
  void Close() {
    store_.reset();
    loop_.RunPending();
  }

  Record Make(const std::string& domain, int i, int64_t t = 1000) {
    Record r = MakeRecord(domain, t);
    r.json = RecordText(domain, i);
    if (i % 3 == 0)
      r.chain = {
          {"whois.example", domain, "Domain Name: " + domain + "\n" + std::string(400, 'r'), t}};
    if (i % 5 == 0) {
      r.refresh_failures = 2;
      r.refresh_after_ms = t + 99;
    }
    return r;
  }
  // Writes `count` records (a third with a chain, every seventh with an archived version).
  struct Written {
    std::map<std::string, Record> heads;
    std::map<std::string, std::vector<RawReply>> chains;
    std::map<std::string, std::vector<Record>> history;
  };
  Written WriteRecords(int count) {
    Written w;
    for (int i = 0; i < count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "d%04d.com", i);
      const std::string d = name;
      Record r = Make(d, i);
      if (i % 7 == 0) {
        Record old = Make(d, i + 1, 500);
        old.chain.clear();
        EXPECT_TRUE(Put(d, old).ok());
        EXPECT_TRUE(Archive(d, r).ok());
        old.refresh_failures = 0;  // an archived version drops its back-off
        old.refresh_after_ms = 0;
        w.history[d] = {old};
      } else {
        EXPECT_TRUE(Put(d, r).ok());
      }
      w.chains[d] = r.chain;
      r.chain.clear();
      w.heads[d] = r;
    }
    return w;
  }
  void ExpectEverythingReads(const Written& w) {
    for (const auto& [d, head] : w.heads) {
      auto [st, got] = Get(d);
      ASSERT_TRUE(st.ok()) << d << ": " << st.ToString();
      EXPECT_EQ(got, head) << d;
      auto [cst, chain] = GetChain(d);
      ASSERT_TRUE(cst.ok()) << d << ": " << cst.ToString();
      EXPECT_EQ(chain, w.chains.at(d)) << d;
      auto h = w.history.find(d);
      EXPECT_EQ(History(d), h == w.history.end() ? std::vector<Record>{} : h->second) << d;
    }
  }
  void WaitForRepacking() {
    ASSERT_TRUE(test_support::WaitUntil([&] { return !store_->stats().repacking; }))
        << "repacking did not end";
  }
  // How many values of `raw` are packed and unpacked; fails on a key neither.
  std::pair<int, int> CountPacked(const std::map<std::string, std::string>& raw) {
    int packed = 0, unpacked = 0;
    for (const auto& [k, v] : raw) {
      if (DomainOfValueKey(k).empty()) continue;
      const uint8_t want = k.starts_with(kChainPrefix) ? kPackedChainVersion : kPackedHeadVersion;
      (Version(v) == want ? packed : unpacked)++;
    }
    return {packed, unpacked};
  }
};

TEST_F(PackingStoreTest, APackingStoreWritesPackedValuesUnderLayoutTwoAndReadsThemBack) {
  ASSERT_TRUE(OpenPacking(true).ok());
  Written w = WriteRecords(60);
  ExpectEverythingReads(w);
  EXPECT_FALSE(store_->stats().repacking);  // a new store has nothing to repack
  Close();
  auto raw = RawValues(dir_.Sub("db"));
  EXPECT_EQ(raw.at(std::string(kLayoutKey)), kPackedLayoutMagic);
  auto [packed, unpacked] = CountPacked(raw);
  EXPECT_EQ(unpacked, 0);
  // 60 heads, 20 chains, 9 archived versions.
  EXPECT_EQ(packed, 60 + 20 + 9);
  // And they read after a restart.
  ASSERT_TRUE(OpenPacking(true).ok());
  ExpectEverythingReads(w);
}

TEST_F(PackingStoreTest, AStoreWrittenBeforePackingIsRepackedAndLosesNothing) {
  ASSERT_TRUE(OpenPacking(false).ok());
  Written w = WriteRecords(300);
  Close();
  auto before = RawValues(dir_.Sub("db"));
  EXPECT_EQ(before.at(std::string(kLayoutKey)), kLayoutMagic);
  const auto [none, all] = CountPacked(before);
  EXPECT_EQ(none, 0);

  ASSERT_TRUE(OpenPacking(true).ok());
  // Everything reads while the pass runs and after it.
  ExpectEverythingReads(w);
  WaitForRepacking();
  EXPECT_EQ(store_->stats().repacked_values, static_cast<uint64_t>(all));
  EXPECT_EQ(LoggedCount("repacked " + std::to_string(all) + " values"), 1u);
  ExpectEverythingReads(w);
  EXPECT_EQ(store_->record_count(), 300u);
  Close();

  auto after = RawValues(dir_.Sub("db"));
  EXPECT_EQ(after.at(std::string(kLayoutKey)), kPackedLayoutMagic);
  EXPECT_EQ(CountPacked(after), std::make_pair(all, 0));
  for (const auto& [k, v] : after) EXPECT_FALSE(k.starts_with(kRepackPrefix)) << k;
  // A store packed through has nothing left to do at the next start.
  ASSERT_TRUE(OpenPacking(true).ok());
  EXPECT_FALSE(store_->stats().repacking);
  EXPECT_EQ(store_->stats().repacked_values, 0u);
  ExpectEverythingReads(w);
}

TEST_F(PackingStoreTest, RepackingResumesWhereItsPositionSays) {
  ASSERT_TRUE(OpenPacking(false).ok());
  Written w = WriteRecords(100);
  Close();
  // As a pass stopped by a restart leaves it: layout 2, and one worker's position.
  const std::string stop = RecordKey("d0049.com");
  WriteRaw(dir_.Sub("db"),
           {{std::string(kLayoutKey), std::string(kPackedLayoutMagic)}, {RepackKey(1), stop}});

  ASSERT_TRUE(OpenPacking(true).ok());
  WaitForRepacking();
  ExpectEverythingReads(w);
  Close();
  for (const auto& [k, v] : RawValues(dir_.Sub("db"))) {
    if (DomainOfValueKey(k).empty()) continue;
    // At or before the position: left as they were (the pass had been there).
    const bool behind = k <= stop;
    const uint8_t want =
        behind ? (k.starts_with(kChainPrefix) ? kValueLayoutVersion : 0)
               : (k.starts_with(kChainPrefix) ? kPackedChainVersion : kPackedHeadVersion);
    if (behind && !k.starts_with(kChainPrefix))
      EXPECT_NE(Version(v), kPackedHeadVersion) << k;
    else
      EXPECT_EQ(Version(v), want) << k;
  }
}

TEST_F(PackingStoreTest, AWriteWhileRepackingIsNeverUndone) {
  ASSERT_TRUE(OpenPacking(false).ok());
  Written w = WriteRecords(2000);
  Close();
  ASSERT_TRUE(OpenPacking(true).ok());
  // New versions of every third record, issued at once, while the passes run.
  std::vector<std::optional<Status>> done(w.heads.size());
  size_t n = 0;
  for (auto& [d, head] : w.heads) {
    if (n % 3 == 0) {
      head = Make(d, static_cast<int>(n) + 1, 7000);
      w.chains[d] = head.chain;
      head.chain.clear();
      store_->Put(d, Make(d, static_cast<int>(n) + 1, 7000), [&done, n](Status s) { done[n] = s; });
    }
    ++n;
  }
  EXPECT_TRUE(store_->stats().repacking);
  loop_.RunUntil([&] {
    for (size_t i = 0; i < done.size(); i += 3)
      if (!done[i]) return false;
    return true;
  });
  for (size_t i = 0; i < done.size(); i += 3) EXPECT_TRUE(done[i]->ok()) << done[i]->ToString();
  WaitForRepacking();
  ExpectEverythingReads(w);
  Close();
  EXPECT_EQ(CountPacked(RawValues(dir_.Sub("db"))).second, 0);
}

TEST_F(PackingStoreTest, AStoreThatDoesNotPackRefusesAPackedOne) {
  ASSERT_TRUE(OpenPacking(true).ok());
  ASSERT_TRUE(Put("a.com").ok());
  Status st = OpenPacking(false);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("packed"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace storage
