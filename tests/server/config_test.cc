#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "server/version.h"

namespace server {
namespace {

std::string WriteFile(const std::string& text) {
  char path[] = "/tmp/wp-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

// LoadConfig over a config file holding `text`, then `more` arguments. The file is temporary,
// removed once read; *path is its name, which the error texts give.
ConfigResult LoadConfigText(const std::string& text, std::string* path,
                            const std::vector<std::string>& more = {}) {
  *path = WriteFile(text);
  std::vector<std::string> args = {*path};
  args.insert(args.end(), more.begin(), more.end());
  ConfigResult r = LoadConfig(args);
  std::remove(path->c_str());
  return r;
}

TEST(Config, DefaultsAreTheDocumentedOnes) {
  auto r = LoadConfig({});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_EQ(r.config->port, 7043);
  EXPECT_EQ(r.config->bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_TRUE(r.config->protected_mode);
}

TEST(Config, StaleServingHistoryAndPrefetchDirectives) {
  auto r = LoadConfig({});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_TRUE(r.config->serve_stale);
  EXPECT_EQ(r.config->max_stale_s, 365 * 86400);
  EXPECT_EQ(r.config->history_max_versions, 8);
  EXPECT_EQ(r.config->prefetch_queue_max, 10000000);
  r = LoadConfig({"--serve-stale", "no", "--max-stale", "7d", "--history-max-versions", "0",
                  "--prefetch-queue-max", "1000"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_FALSE(r.config->serve_stale);
  EXPECT_EQ(r.config->max_stale_s, 7 * 86400);
  EXPECT_EQ(r.config->history_max_versions, 0);
  EXPECT_EQ(r.config->prefetch_queue_max, 1000);
  Config c;
  for (const char* name :
       {"serve-stale", "max-stale", "history-max-versions", "prefetch-queue-max"}) {
    std::string value = std::string(name) == "serve-stale" ? "no" : "5";
    EXPECT_TRUE(ApplyDirective(&c, name, {value}, true).ok()) << name << " is runtime";
  }
  EXPECT_FALSE(ApplyDirective(&c, "history-max-versions", {"-1"}, true).ok());
  EXPECT_FALSE(ApplyDirective(&c, "serve-stale", {"maybe"}, true).ok());
}

// head-mirror: on by default, off with "no", set at start only (the mirror is built at open).
TEST(Config, HeadMirrorDirective) {
  auto r = LoadConfig({});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_TRUE(r.config->head_mirror);
  r = LoadConfig({"--head-mirror", "no"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_FALSE(r.config->head_mirror);
  Config c;
  EXPECT_FALSE(ApplyDirective(&c, "head-mirror", {"yes"}, true).ok()) << "not at runtime";
  EXPECT_FALSE(ApplyDirective(&c, "head-mirror", {"maybe"}, false).ok());
}

TEST(Config, FleetDirectives) {
  auto r = LoadConfig({});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_TRUE(r.config->fleet_redis.empty());  // no fleet
  EXPECT_EQ(r.config->fleet_password, "");
  EXPECT_EQ(r.config->fleet_prefix, "wp");
  EXPECT_EQ(r.config->fleet_node_name, "");
  EXPECT_EQ(r.config->fleet_timeout_ms, 200);
  EXPECT_EQ(r.config->fleet_max_ttl_s, 30 * 86400);
  r = LoadConfig({"--fleet-redis", "127.0.0.1:7000", "[::1]:7001", "--fleet-password", "pw",
                  "--fleet-prefix", "farm1", "--fleet-node-name", "crawler-a", "--fleet-timeout",
                  "50", "--fleet-max-ttl", "7d"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_EQ(r.config->fleet_redis, (std::vector<std::string>{"127.0.0.1:7000", "[::1]:7001"}));
  EXPECT_EQ(r.config->fleet_password, "pw");
  EXPECT_EQ(r.config->fleet_prefix, "farm1");
  EXPECT_EQ(r.config->fleet_node_name, "crawler-a");
  EXPECT_EQ(r.config->fleet_timeout_ms, 50);
  EXPECT_EQ(r.config->fleet_max_ttl_s, 7 * 86400);
  r = LoadConfig({"--fleet-redis", "redis-host"});
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.ErrorText().find("'redis-host' is not HOST:PORT"), std::string::npos)
      << r.ErrorText();
  r = LoadConfig({"--fleet-redis", "h:1", "h:1"});
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.ErrorText().find("given twice"), std::string::npos) << r.ErrorText();
  r = LoadConfig({"--fleet-prefix", "a{b}"});
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.ErrorText().find("braces"), std::string::npos) << r.ErrorText();
  EXPECT_FALSE(LoadConfig({"--fleet-timeout", "0"}).config);
  EXPECT_FALSE(LoadConfig({"--fleet-max-ttl", "0"}).config);
  Config c;
  EXPECT_FALSE(ApplyDirective(&c, "fleet-redis", {"h:1"}, true).ok()) << "start-up only";
}

TEST(Config, FlagsOverrideAndTakeSeveralValues) {
  auto r = LoadConfig({"--port", "7100", "--bind", "127.0.0.1", "127.0.0.2", "--maxclients", "5"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_EQ(r.config->port, 7100);
  EXPECT_EQ(r.config->bind.size(), 2u);
  EXPECT_EQ(r.config->maxclients, 5);
}

TEST(Config, RepairStandsAnywhereAndTakesNoValue) {
  std::string file = WriteFile("dir /var/lib/whois\n");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--repair", file}, {file, "--repair"}, {file, "--port", "7100", "--repair"}}) {
    auto r = LoadConfig(args);
    ASSERT_TRUE(r.config) << r.ErrorText();
    EXPECT_TRUE(r.repair);
    EXPECT_EQ(r.config->dir, "/var/lib/whois");
  }
  auto r = LoadConfig({"--repair", "--dir", "/srv/data"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_TRUE(r.repair);
  EXPECT_EQ(r.config->dir, "/srv/data");
  EXPECT_FALSE(LoadConfig({"--dir", "/srv/data"}).repair);
  std::remove(file.c_str());
}

TEST(Config, FileDirectivesWithQuotesAndComments) {
  std::string path;
  auto r = LoadConfigText("# comment\n\nport 7200\nrequirepass \"a b\"\nhot-set-size 16mb\n", &path,
                          {"--port", "7300"});
  ASSERT_TRUE(r.config) << r.ErrorText();
  EXPECT_EQ(r.config->port, 7300);  // the command line wins
  EXPECT_EQ(r.config->requirepass, "a b");
  EXPECT_EQ(r.config->hot_set_size, 16 << 20);
}

TEST(Config, UnknownDirectiveNamesFileLineAndReason) {
  std::string path;
  auto r = LoadConfigText("port 7200\nfrobnicate yes\n", &path);
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.ErrorText(), path + ":2: unknown directive 'frobnicate'");
  // The Status holds the reason alone; the place is beside it.
  EXPECT_TRUE(r.error.IsInvalidArgument());
  EXPECT_EQ(r.error.message(), "unknown directive 'frobnicate'");
  EXPECT_EQ(r.error_place.file, path);
  EXPECT_EQ(r.error_place.line, 2);
}

TEST(Config, InvalidValueNamesDirective) {
  auto r = LoadConfig({"--port", "99999"});
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.ErrorText().find("'port' must be an integer from 0 to 65535"), std::string::npos);
  r = LoadConfig({"--protected-mode", "maybe"});
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.ErrorText().find("yes or no"), std::string::npos);
}

TEST(Config, UpstreamAddressIsCheckedAtStartUp) {
  for (const char* good :
       {"192.0.2.1", "192.0.2.1:4343", "[2001:db8::1]", "[2001:db8::1]:43", "2001:db8::1"}) {
    auto r = LoadConfig({"--upstream-address", "whois.nic.test", good});
    EXPECT_TRUE(r.config) << good << ": " << r.ErrorText();
  }
  for (const char* bad : {"192.0.2.1:", "whois.example:43", "192.0.2.1:0", "192.0.2.1:65536",
                          "[2001:db8::1", "[2001:db8::1]43", "300.1.1.1"}) {
    auto r = LoadConfig({"--upstream-address", "whois.nic.test", bad});
    ASSERT_FALSE(r.config) << bad;
    EXPECT_NE(r.ErrorText().find("upstream-address"), std::string::npos) << r.ErrorText();
    EXPECT_NE(r.ErrorText().find(std::string("'") + bad + "' is not IP[:PORT]"), std::string::npos)
        << r.ErrorText();
  }
}

TEST(Config, RuntimeChangeRefusedForStartupOnlyDirectives) {
  Config c;
  util::Status st = ApplyDirective(&c, "port", {"1"}, true);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "'port' cannot be changed while the server runs");
  EXPECT_TRUE(ApplyDirective(&c, "maxclients", {"7"}, true).ok());
  EXPECT_EQ(c.maxclients, 7);
}

TEST(Config, SizesAndDurations) {
  EXPECT_EQ(ParseMemory("64mb"), 64ll << 20);
  EXPECT_EQ(ParseMemory("1gb"), 1ll << 30);
  EXPECT_EQ(ParseMemory("10k"), 10000);
  EXPECT_EQ(ParseMemory("12"), 12);
  EXPECT_FALSE(ParseMemory("-1"));
  EXPECT_FALSE(ParseMemory("lots"));
  EXPECT_EQ(ParseSeconds("30d"), 30 * 86400);
  EXPECT_EQ(ParseSeconds("10m"), 600);
  EXPECT_EQ(ParseSeconds("45"), 45);
  EXPECT_FALSE(ParseSeconds("x"));
}

TEST(Config, ContradictoryLimitsAreRefused) {
  auto r = LoadConfig({"--client-output-buffer-soft", "2mb", "--client-output-buffer-hard", "1mb"});
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.ErrorText(),
            "client-output-buffer-soft (2097152) must not be above client-output-buffer-hard "
            "(1048576)");
  r = LoadConfig({"--proto-max-bulk-len", "16mb", "--client-query-buffer-limit", "8mb"});
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.ErrorText(),
            "proto-max-bulk-len (16777216) must not be above client-query-buffer-limit (8388608)");
  // Equal is fine, and so is raising both.
  r = LoadConfig({"--proto-max-bulk-len", "64mb", "--client-query-buffer-limit", "64mb"});
  EXPECT_TRUE(r.config) << r.ErrorText();
  Config c;
  c.client_output_buffer_soft = c.client_output_buffer_hard + 1;
  auto conflict = CheckConsistency(c);
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->directives.front(), "client-output-buffer-soft");
}

TEST(Config, FatalConfigErrorTextNamesFileLineAndTheLineItself) {
  std::string path;
  auto r = LoadConfigText("port 7200\n  maxclients lots  \r\n", &path);
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.ErrorText(), path + ":2: 'maxclients' must be an integer from 1 to 1048576");
  std::string text = FatalConfigErrorText(r);
  EXPECT_EQ(text, std::string("\n*** FATAL CONFIG ERROR (whois-proxy ") + kProxyVersion +
                      ") ***\nReading the configuration file '" + path +
                      "', at line 2\n>>> 'maxclients lots'\n'maxclients' must be an integer from "
                      "1 to 1048576\n");
  r = LoadConfig({"/nonexistent/wp.conf"});
  ASSERT_FALSE(r.config);
  EXPECT_EQ(FatalConfigErrorText(r), std::string("\n*** FATAL CONFIG ERROR (whois-proxy ") +
                                         kProxyVersion +
                                         ") ***\ncannot open config file '/nonexistent/wp.conf'\n");
}

TEST(Config, UpstreamHostsAreNamesOrAddresses) {
  for (const char* good : {"whois.nic.uk", "WHOIS.NIC.UK.", "192.0.2.1", "2001:db8::1"})
    EXPECT_TRUE(IsValidUpstreamHost(good)) << good;
  for (const char* bad : {"", ".", "localhost", "two words.example", "a\r\nb.example"})
    EXPECT_FALSE(IsValidUpstreamHost(bad)) << bad;
  auto r = LoadConfig({"--upstream-limit", "", "concurrency", "1"});
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.ErrorText(),
            "command line: 'upstream-limit' invalid upstream host '' (a host name such as "
            "whois.nic.uk, or an IP address)");
}

}  // namespace
}  // namespace server
