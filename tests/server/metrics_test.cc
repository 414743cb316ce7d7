// The operator's view: /metrics on metrics-port (parsed line by line, figures after known GETs),
// redis_exporter (Debian's prometheus-redis-exporter) scraping the proxy without errors, and the
// commands it relies on (SLOWLOG, LATENCY) as Redis 7 answers them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "child_process.h"
#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace {

using test_support::Command;
using test_support::ConnectRaw;
using test_support::FreePort;
using test_support::ReadUntilClose;
using test_support::SendAll;
using test_support::WaitUntil;

const char kRegistryReply[] =
    "Domain Name: {QUERY}\r\n"
    "Registrar: Metrics Registrar\r\n"
    "Creation Date: 2001-02-03T04:05:06Z\r\n"
    "Name Server: NS1.EXAMPLE.NET\r\n";

std::string RecordJson(const std::string& domain) {
  return R"({"domain":")" + domain +
         R"(","status":"registered","registrar":{"name":"Test Registrar"},"nameservers":["ns1.example.net"]})";
}

// One HTTP/1.1 GET over a plain socket; the whole response (head and body), or "".
std::string HttpGet(int port, const std::string& path) {
  int fd = ConnectRaw(port);
  if (fd < 0) return {};
  SendAll(fd, "GET " + path +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  std::string out = ReadUntilClose(fd);
  close(fd);
  return out;
}

std::string Body(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

// A parsed scrape: every sample by its full series name ("name{a=\"b\"}"); checks each line
// against the text format as it goes and records what is wrong in `errors`.
struct Scrape {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram
  std::vector<std::string> errors;
  double Value(const std::string& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
};

Scrape ParseScrape(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kType(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN))");
  Scrape s;
  std::istringstream in(text);
  std::string line;
  std::string family;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      family = m[1];
    } else if (std::regex_match(line, m, kType)) {
      if (m[1] != family) s.errors.push_back("TYPE not after its HELP: " + line);
      if (!s.types.emplace(m[1], m[2]).second) s.errors.push_back("family twice: " + line);
    } else if (std::regex_match(line, m, kSample)) {
      std::string name = m[1];
      bool in_family = name == family || name == family + "_bucket" || name == family + "_sum" ||
                       name == family + "_count";
      if (!in_family) s.errors.push_back("sample outside its family: " + line);
      std::string series = line.substr(0, line.rfind(' '));
      if (!s.samples.emplace(series, std::stod(line.substr(line.rfind(' ') + 1))).second)
        s.errors.push_back("series twice: " + line);
      if (!name.starts_with("whois_proxy_")) s.errors.push_back("no whois_proxy_ prefix: " + line);
      if (s.types[family] == "counter" && !name.ends_with("_total"))
        s.errors.push_back("counter without _total: " + line);
    } else {
      s.errors.push_back("not the text format: '" + line + "'");
    }
  }
  return s;
}

class MetricsTest : public test_support::TldServerProxyTest {
 protected:
  void SetUp() override {
    metrics_port_ = FreePort();
    StartProxy(kRegistryReply, {"--metrics-port", std::to_string(metrics_port_)});
  }
  int metrics_port_ = 0;
};

TEST_F(MetricsTest, ScrapeIsValidTextFormatWithFiguresOfKnownGets) {
  auto r = Command(c_.get(), {"SET", "known.test", RecordJson("known.test")});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  for (int i = 0; i < 3; ++i) Command(c_.get(), {"GET", "known.test"});  // hot-set hits
  Command(c_.get(), {"GET", "not a name"});                              // invalid
  r = Command(c_.get(), {"GET", "live.test"});                           // miss: looked up live
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
  ASSERT_NE(std::string(r->str, r->len).find("\"registered\""), std::string::npos);

  // The live lookup's record is stored just after it is answered.
  auto records = [&] {
    r = Command(c_.get(), {"DBSIZE"});
    return r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
  };
  ASSERT_TRUE(WaitUntil([&] { return records() == 2; }));
  std::string response = HttpGet(metrics_port_, "/metrics");
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  Scrape s = ParseScrape(Body(response));
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  EXPECT_EQ(s.Value(R"(whois_proxy_gets_total{outcome="hot_hit"})"), 3);
  EXPECT_EQ(s.Value(R"(whois_proxy_gets_total{outcome="store_hit"})"), 0);
  EXPECT_EQ(s.Value(R"(whois_proxy_gets_total{outcome="stale"})"), 0);
  EXPECT_EQ(s.Value(R"(whois_proxy_gets_total{outcome="miss"})"), 1);
  EXPECT_EQ(s.Value(R"(whois_proxy_gets_total{outcome="invalid"})"), 1);
  EXPECT_EQ(s.Value("whois_proxy_lookup_duration_seconds_count"), 1);
  EXPECT_EQ(s.Value(R"(whois_proxy_lookup_duration_seconds_bucket{le="+Inf"})"), 1);
  EXPECT_EQ(s.types["whois_proxy_lookup_duration_seconds"], "histogram");
  EXPECT_EQ(s.Value(R"(whois_proxy_upstream_queries_total{host="whois.nic.test",outcome="ok"})"),
            1);
  EXPECT_EQ(
      s.Value(R"(whois_proxy_upstream_queries_total{host="whois.nic.test",outcome="timeout"})"), 0);
  EXPECT_EQ(s.Value(R"(whois_proxy_upstream_in_flight{host="whois.nic.test"})"), 0);
  EXPECT_GE(s.Value(R"(whois_proxy_upstream_daily_cap{host="whois.nic.test"})"), 0);
  EXPECT_GE(s.Value(R"(whois_proxy_upstream_cooldown_seconds{host="whois.nic.test"})"), 0);
  EXPECT_EQ(s.Value("whois_proxy_records"), 2);
  EXPECT_GE(s.Value("whois_proxy_hot_set_entries"), 1);
  EXPECT_GT(s.Value("whois_proxy_store_disk_bytes"), 0);
  EXPECT_EQ(s.Value("whois_proxy_clients"), 1);
  EXPECT_EQ(s.Value(R"(whois_proxy_store_state{state="writable"})"), 1);
  // Every series the Grafana dashboard queries is one the proxy serves.
  std::ifstream dashboard_file(std::string(WP_PACKAGING_DIR) + "/grafana-dashboard.json");
  std::string dashboard((std::istreambuf_iterator<char>(dashboard_file)),
                        std::istreambuf_iterator<char>());
  ASSERT_FALSE(dashboard.empty());
  std::set<std::string> served;  // every family, and a histogram's series
  for (const auto& [family, type] : s.types) {
    served.insert(family);
    if (type == "histogram")
      for (const char* suffix : {"_bucket", "_sum", "_count"}) served.insert(family + suffix);
  }
  static const std::regex kName("whois_proxy_[a-z0-9_]+");
  size_t queried = 0;
  for (std::sregex_iterator it(dashboard.begin(), dashboard.end(), kName), end; it != end; ++it) {
    ++queried;
    EXPECT_TRUE(served.contains(it->str())) << it->str() << " in the dashboard is not served";
  }
  EXPECT_GT(queried, 10u);
  // Never a label per domain.
  EXPECT_EQ(Body(response).find("known.test"), std::string::npos);
  EXPECT_EQ(Body(response).find("live.test"), std::string::npos);
}

TEST_F(MetricsTest, FallbacksAreCountedByReason) {
  // A daily cap of 1 for the registry: the second new name cannot be asked.
  auto r = Command(c_.get(), {"WHOIS.LIMITS", "whois.nic.test", "daily", "1"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS) << (r ? std::string(r->str, r->len) : "");
  Command(c_.get(), {"GET", "first.test"});
  r = Command(c_.get(), {"GET", "second.test"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
  ASSERT_NE(std::string(r->str, r->len).find("\"daily_limit\""), std::string::npos)
      << std::string(r->str, r->len);
  Scrape s = ParseScrape(Body(HttpGet(metrics_port_, "/metrics")));
  EXPECT_EQ(s.Value(R"(whois_proxy_fallbacks_total{reason="daily_limit"})"), 1);
  EXPECT_EQ(s.Value(R"(whois_proxy_upstream_used_today{host="whois.nic.test"})"), 1);
  EXPECT_EQ(s.Value(R"(whois_proxy_upstream_daily_cap{host="whois.nic.test"})"), 1);
}

TEST_F(MetricsTest, OtherPathsAndMethodsGetHttpErrors) {
  EXPECT_TRUE(HttpGet(metrics_port_, "/nothing").starts_with("HTTP/1.1 404 "));
  int fd = ConnectRaw(metrics_port_);
  ASSERT_GE(fd, 0);
  SendAll(fd, "DELETE /metrics HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(ReadUntilClose(fd).starts_with("HTTP/1.1 405 "));
  close(fd);
}

TEST_F(MetricsTest, SlowlogRecordsCommandsAtTheThresholdAsRedis) {
  auto r = Command(c_.get(), {"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STATUS);
  Command(c_.get(), {"CLIENT", "SETNAME", "tester"});
  Command(c_.get(), {"SLOWLOG", "RESET"});
  Command(c_.get(), {"ECHO", std::string(200, 'y')});
  r = Command(c_.get(), {"SLOWLOG", "GET", "1"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 1u);
  const redisReply* e = r->element[0];
  ASSERT_EQ(e->elements, 6u);
  EXPECT_EQ(e->element[0]->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(e->element[1]->integer, 1700000000);
  EXPECT_GE(e->element[2]->integer, 0);
  ASSERT_EQ(e->element[3]->elements, 2u);
  EXPECT_EQ(std::string(e->element[3]->element[0]->str), "ECHO");
  EXPECT_EQ(std::string(e->element[3]->element[1]->str),
            std::string(128, 'y') + "... (72 more bytes)");
  EXPECT_TRUE(std::string(e->element[4]->str).starts_with("127.0.0.1:"));
  EXPECT_EQ(std::string(e->element[5]->str), "tester");
  r = Command(c_.get(), {"SLOWLOG", "LEN"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
  EXPECT_GE(r->integer, 2);  // SLOWLOG RESET, ECHO, SLOWLOG GET
  // slowlog-max-len bounds it at once; a negative threshold turns it off.
  Command(c_.get(), {"CONFIG", "SET", "slowlog-max-len", "1"});
  r = Command(c_.get(), {"SLOWLOG", "LEN"});
  EXPECT_EQ(r->integer, 1);
  Command(c_.get(), {"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  Command(c_.get(), {"SLOWLOG", "RESET"});
  Command(c_.get(), {"PING"});
  r = Command(c_.get(), {"SLOWLOG", "LEN"});
  EXPECT_EQ(r->integer, 0);
  r = Command(c_.get(), {"SLOWLOG", "GET", "-2"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ERROR);
  // The default threshold is Redis's 10 ms.
  r = Command(c_.get(), {"CONFIG", "GET", "slowlog-*"});
  ASSERT_TRUE(r && r->elements == 4u);
}

TEST_F(MetricsTest, LatencyAnswersAsRedis7) {
  Command(c_.get(), {"GET", "known.test"});
  Command(c_.get(), {"GET", "known.test"});
  auto r = Command(c_.get(), {"LATENCY", "HISTOGRAM", "get", "nosuchcommand"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 2u);  // "get" => {calls, histogram_usec}
  EXPECT_EQ(std::string(r->element[0]->str), "get");
  const redisReply* h = r->element[1];
  ASSERT_EQ(h->elements, 4u);
  EXPECT_EQ(std::string(h->element[0]->str), "calls");
  EXPECT_EQ(h->element[1]->integer, 2);
  EXPECT_EQ(std::string(h->element[2]->str), "histogram_usec");
  ASSERT_GE(h->element[3]->elements, 2u);
  EXPECT_EQ(h->element[3]->element[h->element[3]->elements - 1]->integer, 2);  // cumulative
  // INFO's commandstats and latencystats come from the same histograms (INFO ALL has them).
  r = Command(c_.get(), {"INFO", "commandstats"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
  EXPECT_NE(std::string(r->str).find("\r\ncmdstat_get:calls=2,usec="), std::string::npos) << r->str;
  r = Command(c_.get(), {"INFO", "all"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
  EXPECT_NE(std::string(r->str).find("\r\nlatency_percentiles_usec_get:p50="), std::string::npos)
      << r->str;
  // The monitor is off by default (latency-monitor-threshold 0): no events.
  r = Command(c_.get(), {"LATENCY", "LATEST"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY);
  EXPECT_EQ(r->elements, 0u);
  r = Command(c_.get(), {"LATENCY", "RESET"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
  r = Command(c_.get(), {"LATENCY", "NOPE"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ERROR);
  EXPECT_EQ(std::string(r->str), "ERR unknown subcommand 'NOPE'. Try LATENCY HELP.");
}

// Debian's redis_exporter against the proxy, as an operator points it: it scrapes, its log has
// no error or warning (it used to log "ERR unknown command 'LATENCY'"), and Redis's key metrics
// come out.
TEST_F(MetricsTest, RedisExporterScrapesWithoutErrors) {
  const char* exporter = "/usr/bin/prometheus-redis-exporter";
  if (access(exporter, X_OK) != 0)
    GTEST_SKIP() << exporter
                 << " is not installed (Debian package prometheus-redis-exporter; "
                    "scripts/install-deps.sh installs it)";
  Command(c_.get(), {"SET", "known.test", RecordJson("known.test")});
  Command(c_.get(), {"GET", "known.test"});
  test_support::TempDir tmp;
  std::string log_path = tmp.path() + "/exporter.log";
  int port = FreePort();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string addr = "redis://127.0.0.1:" + std::to_string(proxy_->port());
    std::string listen = "127.0.0.1:" + std::to_string(port);
    execl(exporter, exporter, "-redis.addr", addr.c_str(), "-web.listen-address", listen.c_str(),
          "-redis-only-metrics", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  std::string body;
  bool up = WaitUntil([&] {
    body = Body(HttpGet(port, "/metrics"));
    return body.find("\nredis_up 1\n") != std::string::npos;
  });
  // A second scrape: the exporter logs some failures only once, on the first.
  if (up) body = Body(HttpGet(port, "/metrics"));
  test_support::StopChild(pid);
  std::ifstream in(log_path);
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(up) << "exporter never reported redis_up 1; its log:\n" << log << body;
  EXPECT_EQ(log.find("level=error"), std::string::npos) << log;
  EXPECT_EQ(log.find("level=warn"), std::string::npos) << log;
  for (const char* metric :
       {"\nredis_up 1\n", "\nredis_connected_clients ", "\nredis_commands_processed_total ",
        "\nredis_slowlog_length ", "\nredis_slowlog_last_id ", "\nredis_uptime_in_seconds ",
        "\nredis_db_keys{db=\"db0\"} 1\n", "\nredis_keyspace_hits_total 1\n",
        "\nredis_config_maxclients 10000\n", "\nredis_commands_total{cmd=\"get\"} 1\n"})
    EXPECT_NE(body.find(metric), std::string::npos) << metric << " missing from:\n" << body;
  // It named its connection, as it does with Redis.
  auto r = Command(c_.get(), {"CLIENT", "LIST"});
  ASSERT_TRUE(r);
}

}  // namespace
