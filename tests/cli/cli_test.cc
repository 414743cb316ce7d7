// whois-proxy-cli against a real proxy (and a fake registry): prefetch a file with bad lines and
// follow it to the end, --no-wait, export with and without --match, import with rejected lines,
// and the WHOIS.CACHED command export reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_whois_process.h"
#include "helper_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ProxyProcess;
using test_support::ReadWholeFile;
using test_support::TempDir;
using test_support::WriteWholeFile;

struct CliRun {
  int status = -1;
  std::string out, err;
};

class CliTest : public test_support::OneRegistryTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        StartRegistry("Domain Name: {QUERY}\r\nRegistrar: Cli Registrar\r\n"
                      "Creation Date: 2001-02-03T04:05:06Z\r\n"));
    std::vector<std::string> args = UpstreamArgs();
    args.insert(args.end(),
                {"--upstream-limit", "whois.nic.test", "rate", "200/s", "--requirepass", "secret"});
    ASSERT_NO_FATAL_FAILURE(StartProxyWith(std::move(args)));
    c_ = proxy_->Connect();
    ASSERT_TRUE(c_);
    ASSERT_EQ(Command(c_.get(), {"AUTH", "secret"})->type, REDIS_REPLY_STATUS);
    // The directory knows .test's server before names are queued for it.
    Command(c_.get(), {"WHOIS.SERVER", "test"});
  }
  // Runs the tool with `args` (shell words), stdin from `input` if given.
  CliRun Cli(const std::string& args, const std::string& input_file = "/dev/null") {
    std::string out = dir_.path() + "/out", err = dir_.path() + "/err";
    std::string cmd = std::string(WP_CLI_BINARY) + " -p " + std::to_string(proxy_->port()) +
                      " -a secret " + args + " < " + input_file + " > " + out + " 2> " + err;
    CliRun r;
    r.status = test_support::RunShell(cmd, nullptr);
    r.out = ReadWholeFile(out);
    r.err = ReadWholeFile(err);
    return r;
  }
  static bool Has(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
  }

  ProxyProcess::Redis c_;
};

TEST_F(CliTest, PrefetchQueuesGoodLinesReportsBadOnesAndFollowsToTheEnd) {
  std::string names = dir_.path() + "/names.txt";
  std::string text = "# domains to warm\n";
  for (int i = 0; i < 300; ++i) text += "c" + std::to_string(i) + ".test\n";
  text += "https://www.c7.test/page#top\n";  // the same domain as line 9: queued once
  text += "two words.test\n";                // line 303
  text += "\n";
  text += "bad..name\n";  // line 305
  WriteWholeFile(names, text);
  CliRun r = Cli("prefetch " + names);
  EXPECT_EQ(r.status, 1) << r.err;  // done, but some lines were bad
  EXPECT_TRUE(Has(r.err, "line 303: ")) << r.err;
  EXPECT_TRUE(Has(r.err, "line 305: ")) << r.err;
  EXPECT_FALSE(Has(r.err, "line 302")) << r.err;
  EXPECT_TRUE(Has(r.err, "queued 300 of 301 names")) << r.err;
  // Not a terminal: plain progress lines, the last one with everything done.
  std::string last = r.out.substr(r.out.rfind("done "));
  EXPECT_TRUE(Has(last, "done 300 failed 0 queued 0")) << r.out;
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 300);
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "c299.test"})->integer, 1);
}

TEST_F(CliTest, PrefetchWaitsForRoomWhenTheQueueIsFull) {
  ASSERT_EQ(Command(c_.get(), {"CONFIG", "SET", "prefetch-queue-max", "50"})->type,
            REDIS_REPLY_STATUS);
  std::string names = dir_.path() + "/names.txt";
  std::string text;
  for (int i = 0; i < 200; ++i) text += "f" + std::to_string(i) + ".test\n";
  WriteWholeFile(names, text);
  CliRun r = Cli("prefetch " + names + " --batch 20");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "prefetch-queue-max is 50")) << r.err;
  EXPECT_TRUE(Has(r.err, "queued 200 of 200 names")) << r.err;
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 200);
  // Without following, a full queue is an error.
  text.clear();
  for (int i = 0; i < 80; ++i) text += "g" + std::to_string(i) + ".test\n";
  WriteWholeFile(names, text);
  ASSERT_EQ(Command(c_.get(), {"CONFIG", "SET", "prefetch-queue-max", "10"})->type,
            REDIS_REPLY_STATUS);
  r = Cli("prefetch " + names + " --batch 50 --no-wait");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(Has(r.err, "prefetch-queue-max")) << r.err;
}

TEST_F(CliTest, OnATerminalPrefetchRedrawsOneProgressBar) {
  std::string names = dir_.path() + "/names.txt";
  std::string text;
  for (int i = 0; i < 50; ++i) text += "t" + std::to_string(i) + ".test\n";
  WriteWholeFile(names, text);
  // script(1) (util-linux, in every Debian) gives the tool a terminal to write to.
  std::string cmd = "script -qec \"" + std::string(WP_CLI_BINARY) + " -p " +
                    std::to_string(proxy_->port()) + " -a secret prefetch " + names +
                    "\" /dev/null";
  std::string out;
  EXPECT_EQ(test_support::RunShell(cmd, &out), 0) << out;
  EXPECT_TRUE(Has(out, "\r[")) << out;  // the bar, redrawn in place
  EXPECT_TRUE(Has(out, "100% done 50 failed 0 queued 0")) << out;
  EXPECT_FALSE(Has(out, "\ndone ")) << out;  // no plain lines
}

TEST_F(CliTest, PrefetchFromStdinWithNoWaitOnlyQueues) {
  std::string names = dir_.path() + "/names.txt";
  WriteWholeFile(names, "a.test\nb.test\n");
  CliRun r = Cli("prefetch - --no-wait", names);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "queued 2 of 2 names")) << r.err;
  EXPECT_EQ(r.out, "");  // no following
}

TEST_F(CliTest, ExportWritesEveryRecordAsStoredAndImportBringsThemBack) {
  for (std::string d : {"x1.test", "x2.test", "y1.test"}) {
    std::string json = R"({"domain":")" + d + R"(","status":"registered"})";
    ASSERT_EQ(Command(c_.get(), {"SET", d, json})->type, REDIS_REPLY_STATUS);
  }
  // A stale record is exported as stored: no "stale" mark, no lookup started.
  std::string old = R"({"domain":"old.test","status":"registered"})";
  ASSERT_EQ(Command(c_.get(), {"SET", "old.test", old, "PX", "1"})->type, REDIS_REPLY_STATUS);
  CliRun all = Cli("export");
  EXPECT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 4) << all.out;
  EXPECT_TRUE(Has(all.out, R"({"domain":"old.test","status":"registered"})"
                           "\n"))
      << all.out;
  EXPECT_FALSE(Has(all.out, "stale"));
  EXPECT_TRUE(Has(all.err, "exported 4 records"));
  CliRun some = Cli("export --match 'x*'");
  EXPECT_EQ(std::count(some.out.begin(), some.out.end(), '\n'), 2) << some.out;
  EXPECT_EQ(registry_->ReadLog().size(), 0u);  // nothing was looked up

  // Into an empty store: the exported lines, a broken line and a record the server refuses.
  ASSERT_EQ(Command(c_.get(), {"CONFIG", "SET", "flush-enabled", "yes"})->type, REDIS_REPLY_STATUS);
  ASSERT_EQ(Command(c_.get(), {"FLUSHALL"})->type, REDIS_REPLY_STATUS);
  std::string input = dir_.path() + "/in.jsonl";
  WriteWholeFile(input, all.out + "{\"domain\":\"broken.test\"\n" +
                            R"({"domain":"bad.test","status":"unknown"})" + "\n");
  CliRun r = Cli("import " + input);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(Has(r.err, "line 5: not JSON")) << r.err;
  EXPECT_TRUE(Has(r.err, "line 6: ERR invalid record JSON")) << r.err;
  EXPECT_TRUE(Has(r.err, "imported 4, rejected 2")) << r.err;
  EXPECT_EQ(Command(c_.get(), {"DBSIZE"})->integer, 4);
  CliRun again = Cli("export");
  EXPECT_EQ(again.out.size(), all.out.size());
}

TEST_F(CliTest, WhoisCachedReadsTheStoreWithoutLookups) {
  std::string json = R"({"domain":"here.test","status":"registered"})";
  ASSERT_EQ(Command(c_.get(), {"SET", "here.test", json, "PX", "1"})->type, REDIS_REPLY_STATUS);
  auto r = Command(c_.get(), {"WHOIS.CACHED", "here.test", "missing.test", "not a name"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 3u);
  EXPECT_EQ(std::string(r->element[0]->str, r->element[0]->len), json);
  EXPECT_EQ(r->element[1]->type, REDIS_REPLY_NIL);
  EXPECT_EQ(r->element[2]->type, REDIS_REPLY_NIL);
  EXPECT_EQ(Command(c_.get(), {"EXISTS", "missing.test"})->integer, 0);
  EXPECT_EQ(registry_->ReadLog().size(), 0u);
}

TEST_F(CliTest, AWrongPasswordOrPortIsAClearFailure) {
  std::string cmd = std::string(WP_CLI_BINARY) + " -p " + std::to_string(proxy_->port()) +
                    " -a wrong export 2>&1";
  std::string out;
  EXPECT_EQ(test_support::RunShell(cmd, &out), 2);
  EXPECT_TRUE(Has(out, "AUTH failed")) << out;
  cmd = std::string(WP_CLI_BINARY) + " -p " + std::to_string(test_support::FreePort()) +
        " export 2>&1";
  out.clear();
  EXPECT_EQ(test_support::RunShell(cmd, &out), 2);
  EXPECT_TRUE(Has(out, "cannot connect")) << out;
  out.clear();
  EXPECT_EQ(test_support::RunShell(std::string(WP_CLI_BINARY) + " frobnicate 2>&1", &out), 2);
  EXPECT_TRUE(Has(out, "unknown command 'frobnicate'")) << out;
}

}  // namespace
