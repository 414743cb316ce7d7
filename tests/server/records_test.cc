// The record cache through the Redis commands: import, read back in every spelling, evict,
// scan, survive restarts and kill -9, and keep reply order in long mixed pipelines.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "proxy_process.h"
#include "wait_until.h"

namespace {

using test_support::Command;
using test_support::ProxyProcess;
using test_support::WaitUntil;

std::string RecordJson(const std::string& domain, const std::string& org = "Example Org") {
  return R"({"domain":")" + domain +
         R"(","status":"registered","registrar":{"name":"Test Registrar"},"registrant":{"organization":")" +
         org + R"(","country":"DE"},"nameservers":["ns1.example.net"]})";
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proxy_ = std::make_unique<ProxyProcess>(std::vector<std::string>{"--flush-enabled", "yes"});
    ASSERT_TRUE(proxy_->Start()) << proxy_->log();
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
  }
  test_support::Reply Run(const std::vector<std::string>& argv) {
    return test_support::CommandExpectingReply(c_.get(), argv);
  }
  std::unique_ptr<ProxyProcess> proxy_;
  ProxyProcess::Redis c_;
};

TEST_F(RecordsTest, ImportThenGetInEverySpelling) {
  auto r = Run({"SET", "example.com", RecordJson("example.com")});
  ASSERT_EQ(r->type, REDIS_REPLY_STATUS) << r->str;
  EXPECT_STREQ(r->str, "OK");
  for (std::string spelling : {"example.com", "EXAMPLE.COM", "example.com.", "www.example.com",
                               "https://user@www.example.com:8443/path?q=1"}) {
    r = Run({"GET", spelling});
    ASSERT_EQ(r->type, REDIS_REPLY_STRING) << spelling;
    std::string json(r->str, r->len);
    EXPECT_NE(json.find(R"("domain":"example.com")"), std::string::npos) << json;
    EXPECT_NE(json.find("Example Org"), std::string::npos) << json;
  }
  EXPECT_EQ(Run({"DBSIZE"})->integer, 1);
  EXPECT_EQ(Run({"EXISTS", "example.com", "www.example.com", "other.org"})->integer, 2);
}

TEST_F(RecordsTest, ImportRejectsBadJsonAndMismatchedDomain) {
  auto r = Run({"SET", "example.com", "{not json"});
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_NE(std::string(r->str).find("invalid record JSON"), std::string::npos) << r->str;
  r = Run({"SET", "example.com", RecordJson("example.org")});
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_NE(std::string(r->str).find("example.org"), std::string::npos) << r->str;
  r = Run({"SET", "example.com", RecordJson("example.com"), "EX", "0"});
  EXPECT_STREQ(r->str, "ERR invalid expire time in 'set' command");
  r = Run({"SET", "example.com", RecordJson("example.com"), "NX"});
  EXPECT_STREQ(r->str, "ERR syntax error");
  EXPECT_EQ(Run({"DBSIZE"})->integer, 0);
}

TEST_F(RecordsTest, InvalidNamesGetAnInvalidRecordNotAnError) {
  for (std::string bad : {"key:000000000012", "co.uk", "localhost", "a..b.com", "1.2.3.4", ""}) {
    auto r = Run({"GET", bad});
    ASSERT_EQ(r->type, REDIS_REPLY_STRING) << bad;
    std::string json(r->str, r->len);
    EXPECT_NE(json.find(R"("status":"invalid")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("reason":)"), std::string::npos) << json;
  }
  EXPECT_EQ(Run({"DBSIZE"})->integer, 0);  // never cached
}

TEST_F(RecordsTest, TtlFollowsExAndDefaults) {
  Run({"SET", "a-domain.com", RecordJson("a-domain.com"), "EX", "100"});
  auto r = Run({"TTL", "a-domain.com"});
  EXPECT_GE(r->integer, 99);
  EXPECT_LE(r->integer, 100);
  r = Run({"PTTL", "a-domain.com"});
  EXPECT_GT(r->integer, 98000);
  EXPECT_LE(r->integer, 100000);
  EXPECT_EQ(Run({"TTL", "absent.com"})->integer, -2);
  EXPECT_EQ(Run({"PTTL", "absent.com"})->integer, -2);
  // Without EX a registered record lives ttl-registered (30 days) +-10% jitter.
  Run({"SET", "b-domain.com", RecordJson("b-domain.com")});
  r = Run({"TTL", "b-domain.com"});
  EXPECT_GE(r->integer, 27 * 86400 - 10);
  EXPECT_LE(r->integer, 33 * 86400);
}

TEST_F(RecordsTest, DelEvictsAndHotSetNeverServesDeletedRecords) {
  Run({"SET", "gone.com", RecordJson("gone.com")});
  ASSERT_EQ(Run({"GET", "gone.com"})->type, REDIS_REPLY_STRING);  // now in the hot set
  EXPECT_EQ(Run({"DEL", "gone.com", "never.com"})->integer, 1);
  EXPECT_EQ(Run({"EXISTS", "gone.com"})->integer, 0);
  // The next GET resolves afresh (here no upstream answers: a fallback record), never the
  // deleted record from the hot set.
  auto r = Run({"GET", "gone.com"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  std::string json(r->str, r->len);
  EXPECT_EQ(json.find("Example Org"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":"fallback")"), std::string::npos) << json;
  // Replace: the hot set must serve the new record.
  Run({"SET", "swap.com", RecordJson("swap.com", "First")});
  Run({"GET", "swap.com"});
  Run({"SET", "swap.com", RecordJson("swap.com", "Second")});
  r = Run({"GET", "swap.com"});
  EXPECT_NE(std::string(r->str, r->len).find("Second"), std::string::npos);
}

// The figures INFO gives about the cache and the store, as numbers that move with use.
int64_t InfoField(const std::string& info, const std::string& name) {
  size_t at = info.find("\r\n" + name + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + name.size() + 3));
}

TEST_F(RecordsTest, InfoReportsKeysHitsMissesAndStoreFigures) {
  Run({"SET", "info.com", RecordJson("info.com")});
  Run({"GET", "info.com"});
  Run({"GET", "info.com"});
  Run({"GET", "absent-from-cache.com"});  // a miss (answered with a fallback here)
  // The fallback record is stored after the GET was answered, on the store's own threads.
  std::string info;
  EXPECT_TRUE(WaitUntil([&] {
    auto r = Run({"INFO"});
    info.assign(r->str, r->len);
    return info.find("db0:keys=2,") != std::string::npos && InfoField(info, "store_writes") >= 2;
  })) << info;  // the import and the fallback
  EXPECT_GE(InfoField(info, "keyspace_hits"), 2);
  EXPECT_GE(InfoField(info, "keyspace_misses"), 1);
  EXPECT_EQ(InfoField(info, "records"), 2);
  EXPECT_GT(InfoField(info, "store_disk_bytes"), 0);
  EXPECT_GE(InfoField(info, "store_writes"), 2);
  EXPECT_GE(InfoField(info, "store_level0_files"), 0);
  EXPECT_GE(InfoField(info, "store_compaction_ms"), 0);
  EXPECT_EQ(InfoField(info, "lookups_started"), 1);
  EXPECT_EQ(InfoField(info, "fallback_records"), 1);
}

TEST_F(RecordsTest, ConfigSetLoglevelTakesEffect) {
  Run({"GET", "quiet.com"});  // a miss: its lookup is logged at debug level only
  ASSERT_EQ(std::string(Run({"CONFIG", "SET", "loglevel", "debug"})->str), "OK");
  Run({"GET", "verbose.com"});
  std::string log;
  EXPECT_TRUE(WaitUntil([&] {
    log = proxy_->log();
    return log.find("lookup of verbose.com") != std::string::npos;
  })) << log;
  EXPECT_EQ(log.find("lookup of quiet.com"), std::string::npos) << log;
}

TEST_F(RecordsTest, MgetKeepsOrder) {
  Run({"SET", "one.com", RecordJson("one.com", "One")});
  Run({"SET", "three.com", RecordJson("three.com", "Three")});
  auto r = Run({"MGET", "one.com", "two.com", "three.com", "bad..name"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 4u);
  EXPECT_NE(std::string(r->element[0]->str).find("One"), std::string::npos);
  EXPECT_NE(r->element[1]->type, REDIS_REPLY_ERROR);
  EXPECT_NE(std::string(r->element[2]->str).find("Three"), std::string::npos);
  EXPECT_NE(std::string(r->element[3]->str).find("invalid"), std::string::npos);
}

// A stored record that is not in the hot set is read by the loop itself when LevelDB has it in
// memory (store_reads_now), and such a read never overtakes a SET issued before it, even in
// one pipeline.
TEST(ColdHits, StoredRecordsInMemoryAreReadOnTheLoopAndSeeEarlierWrites) {
  ProxyProcess proxy({"--hot-set-size", "0"});  // every GET of a stored record is a store read
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  auto r = Command(c.get(), {"SET", "cold.com", RecordJson("cold.com", "First Org")});
  ASSERT_TRUE(r);
  for (int i = 0; i < 5; ++i) {
    r = Command(c.get(), {"GET", "cold.com"});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->type, REDIS_REPLY_STRING);
    EXPECT_NE(std::string(r->str, r->len).find("First Org"), std::string::npos);
  }
  r = Command(c.get(), {"INFO"});
  ASSERT_TRUE(r);
  std::string info(r->str, r->len);
  // The first GET may go to a storage thread (the table may not be open yet): the rest need not.
  EXPECT_GE(InfoField(info, "store_reads_now"), 4) << info;
  for (int round = 0; round < 20; ++round) {
    std::string org = "Org " + std::to_string(round);
    redisAppendCommand(c.get(), "SET cold.com %s", RecordJson("cold.com", org).c_str());
    redisAppendCommand(c.get(), "GET cold.com");
    void* reply = nullptr;
    ASSERT_EQ(redisGetReply(c.get(), &reply), REDIS_OK);
    freeReplyObject(reply);
    ASSERT_EQ(redisGetReply(c.get(), &reply), REDIS_OK);
    auto* got = static_cast<redisReply*>(reply);
    ASSERT_EQ(got->type, REDIS_REPLY_STRING);
    EXPECT_NE(std::string(got->str, got->len).find("\"" + org + "\""), std::string::npos)
        << round << ": " << std::string(got->str, got->len);
    freeReplyObject(reply);
  }
}

// The text of a field of INFO ("" if absent).
std::string InfoText(const std::string& info, const std::string& name) {
  size_t at = info.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 3;
  return info.substr(start, info.find("\r\n", start) - start);
}

// With the head mirror (the default), a stored record that is not in the hot set is read from
// <dir>/heads.mirror (store_mirror_reads), and it follows every write: a new version, a
// deletion. With head-mirror no there is no mirror and the same reads come from LevelDB.
TEST(ColdHits, StoredRecordsAreReadFromTheHeadMirrorWhichFollowsEveryWrite) {
  for (bool mirror : {true, false}) {
    SCOPED_TRACE(mirror ? "head-mirror yes" : "head-mirror no");
    ProxyProcess proxy({"--hot-set-size", "0", "--head-mirror", mirror ? "yes" : "no"});
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    for (int i = 0; i < 50; ++i) {
      std::string d = "m" + std::to_string(i) + ".com";
      auto r = Command(c.get(), {"SET", d, RecordJson(d, "Org " + std::to_string(i))});
      ASSERT_TRUE(r);
      ASSERT_EQ(r->type, REDIS_REPLY_STATUS);
    }
    std::string info;
    ASSERT_TRUE(WaitUntil([&] {
      auto r = Command(c.get(), {"INFO"});
      info.assign(r->str, r->len);
      return InfoText(info, "store_mirror") == (mirror ? "ready" : "off");
    })) << info;
    const int64_t before = InfoField(info, "store_mirror_reads");
    for (int i = 0; i < 50; ++i) {
      std::string d = "m" + std::to_string(i) + ".com";
      auto r = Command(c.get(), {"GET", d});
      ASSERT_TRUE(r);
      ASSERT_EQ(r->type, REDIS_REPLY_STRING);
      EXPECT_NE(std::string(r->str, r->len).find("\"Org " + std::to_string(i) + "\""),
                std::string::npos);
    }
    // A new version, then a deletion, each acknowledged before the GET that follows (a GET in
    // the same pipeline waits for the write anyway): the mirror answers for the new state.
    auto w = Command(c.get(), {"SET", "m7.com", RecordJson("m7.com", "Newer Org")});
    ASSERT_TRUE(w);
    ASSERT_EQ(w->type, REDIS_REPLY_STATUS);
    w = Command(c.get(), {"DEL", "m8.com"});
    ASSERT_TRUE(w);
    EXPECT_EQ(w->integer, 1);
    w = Command(c.get(), {"GET", "m7.com"});
    ASSERT_TRUE(w);
    ASSERT_EQ(w->type, REDIS_REPLY_STRING);
    EXPECT_NE(std::string(w->str, w->len).find("\"Newer Org\""), std::string::npos);
    w = Command(c.get(), {"GET", "m8.com"});
    ASSERT_TRUE(w);
    if (w->type == REDIS_REPLY_STRING)
      EXPECT_EQ(std::string(w->str, w->len).find("\"Org 8\""), std::string::npos)
          << std::string(w->str, w->len);
    auto r = Command(c.get(), {"INFO"});
    info.assign(r->str, r->len);
    if (mirror) {
      EXPECT_GE(InfoField(info, "store_mirror_reads"), before + 50) << info;
      EXPECT_GE(InfoField(info, "store_mirror_heads"), 48) << info;
      EXPECT_GT(InfoField(info, "store_mirror_index_bytes"), 0) << info;
    } else {
      EXPECT_EQ(InfoField(info, "store_mirror_reads"), 0) << info;
      EXPECT_EQ(InfoField(info, "store_mirror_file_bytes"), 0) << info;
    }
  }
}

// More keys than a multi-key command keeps in flight, answered in any order (store reads for
// the stored names, at once for the invalid ones): every reply is in its key's place, and
// EXISTS and DEL count every key.
TEST(MultiKeyCommands, ManyKeysComeBackInOrderAndAllCount) {
  ProxyProcess proxy({"--hot-set-size", "0"});  // every stored record is a storage read
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  constexpr int kKeys = 1500;
  std::vector<std::string> mget = {"MGET"}, exists = {"EXISTS"}, del = {"DEL"};
  int stored = 0;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = i % 3 == 0 ? "k" + std::to_string(i) + ".com" : "bad.." + std::to_string(i);
    if (i % 3 == 0) {
      auto r = Command(c.get(), {"SET", key, RecordJson(key, "Org " + std::to_string(i))});
      ASSERT_TRUE(r);
      ASSERT_EQ(r->type, REDIS_REPLY_STATUS);
      ++stored;
    }
    mget.push_back(key);
    exists.push_back(key);
    del.push_back(key);
  }
  auto r = Command(c.get(), mget);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    std::string json(r->element[i]->str, r->element[i]->len);
    if (i % 3 == 0)
      EXPECT_NE(json.find("\"Org " + std::to_string(i) + "\""), std::string::npos) << i << json;
    else
      EXPECT_NE(json.find("\"invalid\""), std::string::npos) << i << json;
  }
  r = Command(c.get(), exists);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->integer, stored);
  r = Command(c.get(), del);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->integer, stored);
  r = Command(c.get(), {"DBSIZE"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->integer, 0);
}

TEST_F(RecordsTest, ScanVisitsEveryDomainOnce) {
  redisContext* c = c_.get();
  for (int i = 0; i < 500; ++i) {
    std::string d = "scan" + std::to_string(i) + ".org";
    std::string json = RecordJson(d);
    redisAppendCommand(c, "SET %s %s", d.c_str(), json.c_str());
  }
  for (int i = 0; i < 500; ++i) {
    redisReply* r = nullptr;
    ASSERT_EQ(redisGetReply(c, reinterpret_cast<void**>(&r)), REDIS_OK);
    ASSERT_EQ(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
  }
  Run({"SET", "other.net", RecordJson("other.net")});
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    auto r = Run({"SCAN", cursor, "MATCH", "scan*", "COUNT", "37"});
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
    cursor = r->element[0]->str;
    for (size_t i = 0; i < r->element[1]->elements; ++i)
      seen.insert(r->element[1]->element[i]->str);
    ASSERT_LT(++rounds, 1000);
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 500u);
  EXPECT_EQ(seen.count("other.net"), 0u);
  EXPECT_STREQ(Run({"SCAN", "12345678901"})->str, "ERR invalid cursor");
  EXPECT_STREQ(Run({"SCAN", "abc"})->str, "ERR invalid cursor");
  EXPECT_EQ(Run({"DBSIZE"})->integer, 501);
}

TEST_F(RecordsTest, FlushNeedsTheSwitch) {
  Run({"SET", "x.com", RecordJson("x.com")});
  EXPECT_STREQ(Run({"FLUSHALL"})->str, "OK");
  EXPECT_EQ(Run({"DBSIZE"})->integer, 0);
  ProxyProcess locked;
  ASSERT_TRUE(locked.Start());
  auto c = locked.Connect();
  auto r = Command(c.get(), {"FLUSHDB"});
  ASSERT_EQ(r->type, REDIS_REPLY_ERROR);
  EXPECT_NE(std::string(r->str).find("flush-enabled"), std::string::npos);
}

TEST_F(RecordsTest, RecordsSurviveRestart) {
  for (int i = 0; i < 50; ++i) {
    std::string d = "keep" + std::to_string(i) + ".de";
    ASSERT_STREQ(Run({"SET", d, RecordJson(d)})->str, "OK");
  }
  c_.reset();
  ASSERT_EQ(proxy_->Stop(), 0);
  ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  c_ = proxy_->Connect();
  EXPECT_EQ(Run({"DBSIZE"})->integer, 50);
  for (int i = 0; i < 50; ++i) {
    std::string d = "keep" + std::to_string(i) + ".de";
    auto r = Run({"GET", d});
    ASSERT_EQ(r->type, REDIS_REPLY_STRING) << d;
  }
}

TEST_F(RecordsTest, SecondServerOnSameDirFailsClearly) {
  ProxyProcess second({}, proxy_->dir());
  EXPECT_FALSE(second.Start());
  EXPECT_NE(second.log().find("in use"), std::string::npos) << second.log();
}

TEST(RecordStoreStartup, CorruptDirectoryGivesAClearErrorNotACrash) {
  test_support::TempDir dir;
  FILE* f = fopen((dir.path() + "/CURRENT").c_str(), "w");
  ASSERT_TRUE(f);
  fputs("MANIFEST-999999\n", f);  // names a manifest that is not there
  fclose(f);
  ProxyProcess proxy({}, dir.path());
  EXPECT_FALSE(proxy.Start());
  std::string log = proxy.log();
  EXPECT_NE(log.find("cannot open the record store in '" + dir.path() + "'"), std::string::npos)
      << log;
  EXPECT_NE(log.find("orruption"), std::string::npos) << log;
}

TEST_F(RecordsTest, KillNineLosesNoAcknowledgedRecord) {
  // A writer imports records as fast as it can; every OK it receives is remembered. The server
  // is killed with SIGKILL mid-stream; after a restart every acknowledged record must be there.
  std::atomic<int> acked{0};
  std::thread writer([&] {
    auto c = proxy_->Connect();
    for (int i = 0; i < 100000; ++i) {
      std::string d = "k" + std::to_string(i) + ".com";
      auto r = Command(c.get(), {"SET", d, RecordJson(d)});
      if (!r || r->type != REDIS_REPLY_STATUS) break;
      acked = i + 1;
    }
  });
  bool enough = WaitUntil([&] { return acked >= 300; });
  proxy_->Kill();
  writer.join();
  int n = acked;
  EXPECT_TRUE(enough) << "the writer stopped after " << n << " records";
  ASSERT_TRUE(proxy_->Start()) << proxy_->log();
  c_ = proxy_->Connect();
  redisContext* c = c_.get();
  for (int i = 0; i < n; ++i) redisAppendCommand(c, "EXISTS k%d.com", i);
  int missing = 0;
  for (int i = 0; i < n; ++i) {
    redisReply* r = nullptr;
    ASSERT_EQ(redisGetReply(c, reinterpret_cast<void**>(&r)), REDIS_OK);
    if (r->integer != 1) ++missing;
    freeReplyObject(r);
  }
  EXPECT_EQ(missing, 0) << "of " << n << " acknowledged records";
  EXPECT_GE(Run({"DBSIZE"})->integer, n);
}

TEST_F(RecordsTest, MixedPipelineKeepsReplyOrder) {
  // Thousands of GETs mixing hot hits, stored hits, misses (answered by the resolver: here a
  // fallback record, as no upstream answers), invalid names and imports.
  redisContext* c = c_.get();
  for (int i = 0; i < 100; ++i) {
    std::string d = "p" + std::to_string(i) + ".net";
    Run({"SET", d, RecordJson(d, "Org" + std::to_string(i))});
  }
  std::vector<std::string> expect;  // substring each reply must contain ("" = not a string)
  for (int i = 0; i < 3000; ++i) {
    int k = i % 100;
    switch (i % 5) {
      case 0:
      case 1: {
        std::string d = "p" + std::to_string(k) + ".net";
        redisAppendCommand(c, "GET %s", d.c_str());
        expect.push_back("\"Org" + std::to_string(k) + "\"");
        break;
      }
      case 2: {
        std::string d = "new" + std::to_string(i) + ".net";
        std::string json = RecordJson(d, "New" + std::to_string(i));
        redisAppendCommand(c, "SET %s %s", d.c_str(), json.c_str());
        redisAppendCommand(c, "GET %s", d.c_str());
        expect.push_back("OK");
        expect.push_back("\"New" + std::to_string(i) + "\"");
        break;
      }
      case 3:
        redisAppendCommand(c, "GET %s", "not..valid");
        expect.push_back("invalid");
        break;
      case 4: {
        std::string d = "miss" + std::to_string(i % 700) + ".org";
        redisAppendCommand(c, "GET %s", d.c_str());
        expect.push_back(R"("domain":")" + d + R"(","status":"fallback")");
        break;
      }
    }
  }
  for (size_t i = 0; i < expect.size(); ++i) {
    redisReply* r = nullptr;
    ASSERT_EQ(redisGetReply(c, reinterpret_cast<void**>(&r)), REDIS_OK);
    std::string got = r->str ? std::string(r->str, r->len) : "";
    EXPECT_NE(got.find(expect[i]), std::string::npos) << "reply " << i << ": " << got;
    freeReplyObject(r);
  }
}

}  // namespace

namespace {

std::string GetJson(redisContext* c, const std::string& domain) {
  auto r = Command(c, {"GET", domain});
  if (!r || r->type != REDIS_REPLY_STRING) return "(no record)";
  return std::string(r->str, r->len);
}

int64_t InfoOf(redisContext* c, const std::string& name) {
  auto r = Command(c, {"INFO"});
  return r ? InfoField(std::string(r->str, r->len), name) : -1;
}

}  // namespace

// Once the hot set is full, the records it admits are kept compressed, more of them fit, and a
// hit on one is served byte for byte as the record was before.
TEST(HotSetCompression, AFullSetKeepsWhatItAdmitsCompressedAndServesItUnchanged) {
  ProxyProcess proxy({"--hot-set-size", "64kb"});
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  auto name = [](const char* kind, int i) { return kind + std::to_string(i) + ".com"; };
  // Records of about a kilobyte, as real ones are.
  auto record = [](const std::string& domain) {
    std::string org;
    for (int i = 0; i < 30; ++i) org += "Example Holding " + std::to_string(i) + " GmbH, ";
    return RecordJson(domain, org);
  };
  // Ten records read while the set has room (kept as they are), for reference.
  std::vector<std::string> before;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Command(c.get(), {"SET", name("probe", i), record(name("probe", i))}));
    before.push_back(GetJson(c.get(), name("probe", i)));
    ASSERT_NE(before.back().find("Example Holding 29"), std::string::npos) << before.back();
  }
  EXPECT_EQ(InfoOf(c.get(), "hot_set_compressed"), 0);
  // More records than fit in 64 KB as they are: the set fills.
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(Command(c.get(), {"SET", name("filler", i), record(name("filler", i))}));
  // What the set would hold if it kept every entry as it is (JSON, framing, key, overhead).
  const int64_t uncompressed = 64 * 1024 / static_cast<int64_t>(before[0].size() + 150);
  ASSERT_LT(uncompressed, 100);
  // The probes asked for again and again enter the full set, compressed, and are served as
  // before: from the hot set, not the store.
  for (int round = 0; round < 6; ++round)
    for (int i = 0; i < 10; ++i) ASSERT_EQ(GetJson(c.get(), name("probe", i)), before[i]);
  EXPECT_GE(InfoOf(c.get(), "hot_set_compressed"), 10);
  const int64_t hits = InfoOf(c.get(), "hot_set_hits");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(GetJson(c.get(), name("probe", i)), before[i]);
  EXPECT_EQ(InfoOf(c.get(), "hot_set_hits"), hits + 10);
  // Half the fillers asked for often too: the set holds several times the entries it could
  // hold as they are.
  for (int round = 0; round < 8; ++round)
    for (int i = 0; i < 150; ++i) GetJson(c.get(), name("filler", i));
  EXPECT_GT(InfoOf(c.get(), "hot_set_entries"), uncompressed * 2);
  EXPECT_LE(InfoOf(c.get(), "hot_set_bytes"), 64 * 1024);
  // Keys asked for again and again (past the admission sketch's ceiling) are kept whole from
  // then on, and still served byte for byte. Each one turned whole leaves the compressed count
  // without leaving the set: the compressed entries lost beyond the entries lost.
  std::vector<std::string> hot;
  for (int i = 0; i < 5; ++i) hot.push_back(GetJson(c.get(), name("filler", i)));
  const int64_t compressed = InfoOf(c.get(), "hot_set_compressed");
  const int64_t entries = InfoOf(c.get(), "hot_set_entries");
  for (int n = 0; n < 20; ++n)
    for (int i = 0; i < 5; ++i) ASSERT_EQ(GetJson(c.get(), name("filler", i)), hot[i]);
  const int64_t turned_whole = (compressed - InfoOf(c.get(), "hot_set_compressed")) -
                               (entries - InfoOf(c.get(), "hot_set_entries"));
  EXPECT_EQ(turned_whole, 5) << compressed << " " << entries;
  EXPECT_LE(InfoOf(c.get(), "hot_set_bytes"), 64 * 1024);
}
