// Running the proxy as a service: the systemd unit verifies, --test-config checks a config and
// exits, SIGHUP reopens the log file (logrotate), SIGTERM ends in-flight lookups and closes the
// store.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "fake_whois_process.h"
#include "helper_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace {

using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::ConnectRaw;
using test_support::ProxyProcess;
using test_support::ReadUntilEndsWith;
using test_support::ReadWholeFile;
using test_support::RunShell;
using test_support::SendAll;
using test_support::TempDir;
using test_support::WaitUntil;
using test_support::WriteWholeFile;

const std::string kBinary = WP_PROXY_BINARY_FOR_TESTS;
const std::string kPackaging = WP_PACKAGING_DIR;

TEST(Packaging, SystemdUnitVerifies) {
  if (access("/usr/bin/systemd-analyze", X_OK) != 0 && access("/bin/systemd-analyze", X_OK) != 0)
    GTEST_SKIP() << "systemd-analyze is not installed (Debian package systemd): the unit "
                    "packaging/whois-proxy.service is not verified";
  std::string unit = ReadWholeFile(kPackaging + "/whois-proxy.service");
  ASSERT_FALSE(unit.empty());
  for (const char* wanted :
       {"DynamicUser=yes", "User=whois-proxy", "StateDirectory=whois-proxy", "ProtectSystem=strict",
        "NoNewPrivileges=yes", "PrivateTmp=yes", "ExecReload=/bin/kill -HUP $MAINPID"})
    EXPECT_NE(unit.find(wanted), std::string::npos) << wanted;
  // verify checks that ExecStart's program exists: point it at the binary just built.
  for (size_t at; (at = unit.find("/usr/bin/whois-proxy")) != std::string::npos;)
    unit.replace(at, std::string("/usr/bin/whois-proxy").size(), kBinary);
  TempDir tmp;
  WriteWholeFile(tmp.path() + "/whois-proxy.service", unit);
  std::string out;
  int rc = RunShell("systemd-analyze verify " + tmp.path() + "/whois-proxy.service 2>&1", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "") << "systemd-analyze verify complained";
}

TEST(TestConfig, ChecksAConfigFileAndExits) {
  TempDir tmp;
  std::string out;
  // The packaged file, as the unit's ExecStartPre checks it.
  std::string packaged = kPackaging + "/whois-proxy.conf";
  EXPECT_EQ(RunShell(kBinary + " --test-config " + packaged + " 2>&1", &out), 0) << out;
  EXPECT_EQ(out, "whois-proxy: configuration file '" + packaged + "' is OK\n");
  WriteWholeFile(tmp.path() + "/bad.conf", "port 7043\nmaxclients many\n");
  out.clear();
  EXPECT_EQ(RunShell(kBinary + " --test-config " + tmp.path() + "/bad.conf 2>&1", &out), 1);
  EXPECT_NE(out.find("at line 2"), std::string::npos) << out;
  EXPECT_NE(out.find("'maxclients' must be an integer"), std::string::npos) << out;
  // Contradicting values, and flags after the file, are checked too.
  out.clear();
  EXPECT_EQ(
      RunShell(kBinary + " --test-config " + packaged + " --client-output-buffer-soft 1gb 2>&1",
               &out),
      1);
  EXPECT_NE(out.find("client-output-buffer-soft"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(RunShell(kBinary + " --test-config " + tmp.path() + "/missing.conf 2>&1", &out), 1);
  EXPECT_NE(out.find("cannot open config file"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(RunShell(kBinary + " --test-config 2>&1", &out), 1);
  EXPECT_NE(out.find("--test-config expects the config file"), std::string::npos) << out;
}

TEST(Signals, SighupReopensTheLogFile) {
  TempDir logs;
  std::string log = logs.path() + "/proxy.log";
  ProxyProcess proxy({"--logfile", log});
  ASSERT_TRUE(proxy.Start()) << proxy.log() << ReadWholeFile(log);
  ASSERT_TRUE(
      WaitUntil([&] { return ReadWholeFile(log).find("ready to accept") != std::string::npos; }));
  // logrotate: rename, then SIGHUP.
  ASSERT_EQ(std::rename(log.c_str(), (log + ".1").c_str()), 0);
  ASSERT_EQ(kill(proxy.pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitUntil([&] {
    return ReadWholeFile(log).find("log file reopened") != std::string::npos;
  })) << ReadWholeFile(log + ".1");
  auto c = proxy.Connect();
  ASSERT_TRUE(c);
  EXPECT_STREQ(Command(c.get(), {"PING"})->str, "PONG");
  EXPECT_EQ(proxy.Stop(), 0);
  // What came after the signal is in the new file; the renamed one ends at the signal.
  EXPECT_NE(ReadWholeFile(log).find("bye bye"), std::string::npos);
  std::string old = ReadWholeFile(log + ".1");
  EXPECT_NE(old.find("received SIGHUP"), std::string::npos);
  EXPECT_EQ(old.find("bye bye"), std::string::npos);
}

TEST(Signals, SigtermEndsInFlightLookupsAndClosesTheStore) {
  FakeWhoisProcess registry({"--mode", "hang"});
  ASSERT_TRUE(registry.Start()) << registry.error();
  TempDir dir;
  std::vector<std::string> args = test_support::TldServerArgs(registry);
  args.insert(args.end(), {"--lookup-timeout", "600000", "--upstream-timeout", "600000"});
  {
    ProxyProcess proxy(args, dir.path());
    ASSERT_TRUE(proxy.Start()) << proxy.log();
    auto c = proxy.Connect();
    ASSERT_TRUE(c);
    auto r =
        Command(c.get(), {"SET", "kept.test", R"({"domain":"kept.test","status":"registered"})"});
    ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
    int fd = ConnectRaw(proxy.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "GET slow.test\r\n");
    ASSERT_TRUE(WaitUntil([&] {
      auto info = Command(c.get(), {"INFO", "whois"});
      return info && std::string(info->str).find("lookups_in_flight:1\r\n") != std::string::npos;
    }));
    EXPECT_EQ(proxy.Stop(), 0) << proxy.log();
    // The waiting client got an answer (a fallback: the lookup could not finish) before its
    // connection closed.
    std::string reply = ReadUntilEndsWith(fd, "}\r\n");
    close(fd);
    EXPECT_NE(reply.find("\"status\":\"fallback\""), std::string::npos) << reply;
    std::string log = proxy.log();
    EXPECT_NE(log.find("cancelling the lookups still running"), std::string::npos) << log;
    EXPECT_NE(log.find("record store closed"), std::string::npos) << log;
    EXPECT_NE(log.find("bye bye"), std::string::npos) << log;
  }
  // The store closed cleanly: it opens again with what was written, and the cancelled lookup
  // stored nothing.
  ProxyProcess again(args, dir.path());
  ASSERT_TRUE(again.Start()) << again.log();
  auto c = again.Connect();
  ASSERT_TRUE(c);
  auto r = Command(c.get(), {"EXISTS", "kept.test", "slow.test"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
  EXPECT_EQ(r->integer, 1);
}

}  // namespace
