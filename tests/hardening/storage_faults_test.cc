// The record store under a broken disk and under kill -9: clear errors instead of crashes, a
// read-only store that becomes writable again by itself, and every acknowledged write (and every
// upstream query the daily cap admitted) survives.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_probe.h"
#include "proxy_process.h"
#include "store_files.h"

namespace {

using fake_whois::FakeWhoisProcess;
using fake_whois::IanaTldAnswer;
using hardening::InfoField;
using hardening::InfoInt;
using hardening::Occurrences;
using hardening::Pipeline;
using hardening::RecordJson;
using hardening::ReplyText;
using hardening::WaitUntil;
using test_support::Command;
using test_support::ProxyProcess;
using test_support::TempDir;
using namespace std::chrono_literals;

// SETs numbered records until one fails (or `max` succeeded); returns the names acknowledged
// and sets *error to the first error text.
std::vector<std::string> SetUntilError(redisContext* c, const std::string& prefix, int max,
                                       std::string* error) {
  std::vector<std::string> acked;
  for (int i = 0; i < max; ++i) {
    std::string name = prefix + std::to_string(i) + ".test";
    auto r = Command(c, {"SET", name, RecordJson(name, 40)});
    if (r && r->type == REDIS_REPLY_STATUS) {
      acked.push_back(name);
      continue;
    }
    *error = ReplyText(r.get());
    break;
  }
  return acked;
}

// After the store failed: the server is alive, records written before (and acknowledged) are
// still served byte for byte, and other commands work.
void ExpectStillServing(redisContext* c,
                        const std::vector<std::pair<std::string, std::string>>& kept,
                        const std::vector<std::string>& acked_late) {
  auto ping = Command(c, {"PING"});
  ASSERT_TRUE(ping) << "the server died: " << c->errstr;
  EXPECT_STREQ(ping->str, "PONG");
  for (const auto& [name, json] : kept) {
    auto r = Command(c, {"GET", name});
    ASSERT_TRUE(r);
    EXPECT_EQ(ReplyText(r.get()), json) << name;
  }
  for (const auto& name : acked_late) {
    auto r = Command(c, {"EXISTS", name});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->integer, 1) << name << " was acknowledged but is gone";
  }
}

std::vector<std::pair<std::string, std::string>> SetAndRead(redisContext* c, int n) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (int i = 0; i < n; ++i) {
    std::string name = "early" + std::to_string(i) + ".test";
    auto s = Command(c, {"SET", name, RecordJson(name, 3)});
    EXPECT_TRUE(s && s->type == REDIS_REPLY_STATUS) << ReplyText(s.get());
    auto g = Command(c, {"GET", name});
    EXPECT_TRUE(g && g->type == REDIS_REPLY_STRING) << ReplyText(g.get());
    kept.emplace_back(name, ReplyText(g.get()));
  }
  return kept;
}

void ChmodTree(const std::string& root, std::filesystem::perms dirs, std::filesystem::perms files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec))
    fs::permissions(e.path(), e.is_directory() ? dirs : files, ec);
  fs::permissions(root, dirs, ec);
}

// In the child, before exec: drops CAP_DAC_OVERRIDE from the capability bounding set, so the
// server (still uid 0, still able to read and traverse everything through CAP_DAC_READ_SEARCH)
// is refused writes where the mode refuses them, as any other user is. Switching to another uid
// instead would make the test depend on where the checkout lives: that uid cannot reach a binary
// under a home directory of mode 0700, nor the sanitizers' report and suppression files.
void DropWriteOverride() {
  if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0) {
    static const char kMessage[] = "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE) failed\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    _exit(126);
  }
}

// `chmod 0500` on the data directory and its files while the server runs. Root ignores modes,
// so as root the server runs without the capability that lets it (DropWriteOverride).
TEST(BrokenDisk, UnwritableDirectoryGivesClearErrorsAndReadsKeepWorking) {
  TempDir base;
  const std::string dir = base.path() + "/data";
  ProxyProcess proxy({"--write-buffer-size", "1mb", "--hot-set-size", "0"}, dir);
  if (geteuid() == 0) proxy.set_before_exec(DropWriteOverride);
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  auto kept = SetAndRead(c.get(), 10);

  ChmodTree(dir, std::filesystem::perms(0500), std::filesystem::perms(0400));
  std::string error;
  auto acked = SetUntilError(c.get(), "late", 4000, &error);
  std::cout << "[ info ] " << acked.size() << " SETs acknowledged after chmod, then: " << error
            << "\n";
  EXPECT_TRUE(error.starts_with("ERR record store: "))
      << "no clear error after " << acked.size() << " SETs: '" << error << "'";
  ExpectStillServing(c.get(), kept, acked);
  EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "read_only");
  // Writable again: writes resume by themselves.
  ChmodTree(dir, std::filesystem::perms(0700), std::filesystem::perms(0600));
  std::string last;
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto r = Command(c.get(), {"SET", "resumed.test", RecordJson("resumed.test", 3)});
        last = ReplyText(r.get());
        return r && r->type == REDIS_REPLY_STATUS;
      },
      std::chrono::seconds(30)))
      << last;
  EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "writable");
  EXPECT_GE(proxy.Stop(), 0) << proxy.log();
}

// SETs `name` until it is acknowledged (the store recovers when a write arrives, at most once a
// second); false after 30 s. *last gets the last reply.
bool SetUntilAcknowledged(redisContext* c, const std::string& name, std::string* last) {
  return WaitUntil(
      [&] {
        auto r = Command(c, {"SET", name, RecordJson(name, 3)});
        *last = ReplyText(r.get());
        return r && r->type == REDIS_REPLY_STATUS;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100));
}

// A full disk (a 2 MiB tmpfs; root and mount(2) needed): the store turns read-only with clear
// errors, reads go on, misses are not asked upstream again and again, writes resume by
// themselves once the disk has room, and every acknowledged write survives a kill -9 after.
TEST(BrokenDisk, FullDiskMakesTheStoreReadOnlyUntilSpaceReturns) {
  TempDir base;
  const std::string dir = base.path() + "/data";
  test_support::Tmpfs tmpfs(dir);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::string> acked;
  {
    ProxyProcess proxy({}, dir);  // the log goes beside, off the tmpfs
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    auto kept = SetAndRead(c.get(), 10);
    std::string error;
    acked = SetUntilError(c.get(), "fill", 20000, &error);
    std::cout << "[ info ] " << acked.size()
              << " SETs acknowledged before the disk filled: " << error << "\n";
    EXPECT_TRUE(error.starts_with("ERR record store: "))
        << "no clear error after " << acked.size() << " SETs: '" << error << "'";
    EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "read_only");
    EXPECT_NE(InfoField(c.get(), "persistence", "store_state_reason")
                  .value_or("")
                  .find("No space left on device"),
              std::string::npos);
    auto again = Command(c.get(), {"SET", "late.test", RecordJson("late.test", 3)});
    EXPECT_NE(ReplyText(again.get()).find("read-only"), std::string::npos)
        << ReplyText(again.get());
    ExpectStillServing(c.get(), kept, acked);

    // A miss is resolved once and then answered from memory, not asked upstream again.
    int64_t started = InfoInt(c.get(), "whois", "lookups_started").value_or(-1);
    auto first = Command(c.get(), {"GET", "unknown.test"});
    auto second = Command(c.get(), {"GET", "unknown.test"});
    EXPECT_EQ(ReplyText(first.get()), ReplyText(second.get()));
    EXPECT_EQ(InfoInt(c.get(), "whois", "lookups_started").value_or(-1), started + 1)
        << "a miss was asked upstream again while the store was read-only";

    ASSERT_TRUE(tmpfs.Resize("64m"));
    std::string last;
    ASSERT_TRUE(SetUntilAcknowledged(c.get(), "late.test", &last)) << last;
    acked.push_back("late.test");
    EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "writable");
    std::string log = proxy.log();
    EXPECT_EQ(Occurrences(log, "is read-only from now on"), 1u) << log;
    EXPECT_EQ(Occurrences(log, "is writable again"), 1u) << log;
    std::vector<std::vector<std::string>> sets;
    for (int i = 0; i < 300; ++i) {
      std::string name = "after" + std::to_string(i) + ".test";
      sets.push_back({"SET", name, RecordJson(name, 3)});
    }
    auto replies = Pipeline(c.get(), sets);
    for (size_t i = 0; i < sets.size(); ++i) {
      ASSERT_TRUE(replies[i] && replies[i]->type == REDIS_REPLY_STATUS)
          << ReplyText(replies[i].get());
      acked.push_back(sets[i][1]);
    }
    proxy.Kill();
  }
  ProxyProcess proxy({}, dir);
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  std::vector<std::vector<std::string>> exists;
  for (const auto& name : acked) exists.push_back({"EXISTS", name});
  auto replies = Pipeline(c.get(), exists);
  int lost = 0;
  for (size_t i = 0; i < acked.size(); ++i)
    if (!(replies[i] && replies[i]->integer == 1) && lost++ < 5)
      ADD_FAILURE() << acked[i] << " was acknowledged, then lost";
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(proxy.Stop(), 0) << proxy.log();
}

// Start-up on a full disk serves reads; writes resume once there is room.
TEST(BrokenDisk, StartOnAFullDiskServesReads) {
  TempDir base;
  const std::string dir = base.path() + "/data";
  test_support::Tmpfs tmpfs(dir);
  if (std::string why = tmpfs.Mount("2m"); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::pair<std::string, std::string>> kept;
  {
    ProxyProcess proxy({}, dir);
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    kept = SetAndRead(c.get(), 200);
    ASSERT_EQ(proxy.Stop(), 0) << proxy.log();
  }
  test_support::FillDisk(dir + "/filler");
  ProxyProcess proxy({}, dir);
  ASSERT_TRUE(proxy.Start()) << "refused to start on a full disk:\n" << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  ExpectStillServing(c.get(), kept, {});
  EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "read_only");
  auto refused = Command(c.get(), {"SET", "new.test", RecordJson("new.test", 3)});
  EXPECT_NE(ReplyText(refused.get()).find("read-only"), std::string::npos)
      << ReplyText(refused.get());
  std::filesystem::remove(dir + "/filler");
  std::string last;
  EXPECT_TRUE(SetUntilAcknowledged(c.get(), "new.test", &last)) << last;
  EXPECT_EQ(InfoField(c.get(), "persistence", "store_state"), "writable");
  EXPECT_EQ(proxy.Stop(), 0) << proxy.log();
}

// kill -9 while a writer SETs, a reader GETs and a third client causes upstream queries
// against a registry with a daily cap of 20, five times on the same directory.
TEST(KillNine, AcknowledgedWritesAndTheDailyCapSurviveKillNineUnderLoad) {
  FakeWhoisProcess iana;
  iana.AddResponse("test", IanaTldAnswer("TEST", "whois.nic.test"));
  FakeWhoisProcess registry;
  registry.SetDefaultResponse(
      "Domain Name: {QUERY}\r\nRegistrar: Hardening Registrar\r\n"
      "Creation Date: 2001-02-03T04:05:06Z\r\n");
  ASSERT_TRUE(iana.Start()) << iana.error();
  ASSERT_TRUE(registry.Start()) << registry.error();
  TempDir base;
  const std::string dir = base.path() + "/data";
  std::vector<std::string> args = test_support::FakeUpstreamArgs(iana, registry);
  args.insert(args.end(),
              {"--upstream-limit", "whois.nic.test", "daily", "20", "rate", "100/s",
               "--upstream-limit", "whois.iana.org", "concurrency", "4", "rate", "100/s"});

  unsigned seed = static_cast<unsigned>(std::random_device{}());
  std::cout << "[ info ] seed " << seed << "\n";
  std::mt19937 rng(seed);
  std::mutex mu;
  std::vector<std::string> acked;  // guarded by mu
  std::string template_json;       // the JSON GET gives for "probe.test"
  auto canonical = [&](const std::string& name) {
    std::string out = template_json;
    for (size_t at; (at = out.find("probe.test")) != std::string::npos;) out.replace(at, 10, name);
    return out;
  };
  std::atomic<int> mismatches{0}, misses_sent{0};
  int next_write = 0;

  for (int iter = 0; iter < 5; ++iter) {
    ProxyProcess proxy(args, dir);
    ASSERT_TRUE(proxy.Start()) << "iteration " << iter << ":\n" << proxy.log();
    if (iter == 0) {
      auto c = proxy.Connect();
      ASSERT_TRUE(c);
      auto s = Command(c.get(), {"SET", "probe.test", RecordJson("probe.test", 3)});
      ASSERT_TRUE(s && s->type == REDIS_REPLY_STATUS) << ReplyText(s.get());
      auto g = Command(c.get(), {"GET", "probe.test"});
      ASSERT_TRUE(g && g->type == REDIS_REPLY_STRING);
      template_json = ReplyText(g.get());
    }
    std::atomic<bool> stop{false};
    int first_write = next_write;
    std::atomic<int> written{0};
    std::thread writer([&] {
      auto c = proxy.Connect();
      for (int i = first_write; c && !stop && i < first_write + 100000; ++i) {
        std::string name = "w" + std::to_string(i) + ".test";
        auto r = Command(c.get(), {"SET", name, RecordJson(name, 3)});
        if (!r) break;
        if (r->type != REDIS_REPLY_STATUS) continue;
        std::lock_guard lock(mu);
        acked.push_back(name);
        written = i + 1 - first_write;
      }
    });
    std::thread reader([&, rseed = rng()] {
      std::mt19937 pick(rseed);
      auto c = proxy.Connect();
      for (int i = 0; c && !stop && i < 1000000; ++i) {
        std::string name;
        {
          std::lock_guard lock(mu);
          if (!acked.empty()) name = acked[pick() % acked.size()];
        }
        if (name.empty()) {
          std::this_thread::sleep_for(1ms);
          continue;
        }
        auto r = Command(c.get(), {"GET", name});
        if (!r) break;
        if (ReplyText(r.get()) != canonical(name)) {
          if (mismatches++ < 5) ADD_FAILURE() << name << ": " << ReplyText(r.get());
        }
      }
    });
    std::thread misser([&] {
      auto c = proxy.Connect();
      for (int i = 0; c && !stop && i < 10000; ++i) {
        std::string name = "miss" + std::to_string(iter) + "-" + std::to_string(i) + ".test";
        ++misses_sent;
        if (!Command(c.get(), {"GET", name})) break;
        std::this_thread::sleep_for(2ms);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 301));
    proxy.Kill();
    stop = true;
    writer.join();
    reader.join();
    misser.join();
    next_write = first_write + written + 1;
  }

  ProxyProcess proxy(args, dir);
  ASSERT_TRUE(proxy.Start()) << proxy.log();
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  std::cout << "[ info ] " << acked.size() << " acknowledged SETs, " << misses_sent
            << " GETs of unknown domains over 5 kill -9 iterations\n";
  ASSERT_FALSE(acked.empty());
  int lost = 0;
  for (size_t from = 0; from < acked.size(); from += 500) {
    size_t to = std::min(acked.size(), from + 500);
    for (size_t i = from; i < to; ++i) redisAppendCommand(c.get(), "EXISTS %s", acked[i].c_str());
    for (size_t i = from; i < to; ++i) {
      redisReply* r = nullptr;
      ASSERT_EQ(redisGetReply(c.get(), reinterpret_cast<void**>(&r)), REDIS_OK);
      if (r->integer != 1 && lost++ < 5)
        ADD_FAILURE() << acked[i] << " was acknowledged, then lost";
      freeReplyObject(r);
    }
  }
  EXPECT_EQ(lost, 0);
  for (const auto& name : acked) {
    auto r = Command(c.get(), {"GET", name});
    ASSERT_TRUE(r);
    if (ReplyText(r.get()) != canonical(name) && mismatches++ < 10)
      ADD_FAILURE() << name << ": " << ReplyText(r.get());
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(proxy.Stop(), 0) << proxy.log();

  registry.Stop();
  auto log = registry.ReadLog();
  int64_t admitted = 0;
  for (const auto& e : log) admitted += fake_whois::Admitted(e);
  std::cout << "[ info ] the registry served " << admitted << " queries (daily cap 20)\n";
  EXPECT_LE(admitted, 20);
  EXPECT_GE(admitted, 1) << "no upstream query happened: the cap was not exercised";
}

}  // namespace
