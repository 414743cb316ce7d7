#include "server/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "server/record_service.h"
#include "server/server.h"
#include "server/version.h"
#include "util/info_writer.h"

namespace server {
namespace {

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

std::string Human(int64_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (b >= 1 << 30)
    snprintf(buf, sizeof buf, "%.2fG", b / (1 << 30));
  else if (b >= 1 << 20)
    snprintf(buf, sizeof buf, "%.2fM", b / (1 << 20));
  else if (b >= 1 << 10)
    snprintf(buf, sizeof buf, "%.2fK", b / (1 << 10));
  else
    snprintf(buf, sizeof buf, "%lldB", static_cast<long long>(bytes));
  return buf;
}

// A free-text INFO value on one line, without the ',' that makes client libraries (redis-py)
// read "a=b,c=d" values as a dictionary.
std::string InfoValue(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
    if (c == ',') c = ';';
  }
  return out;
}

class InfoText {
 public:
  void Section(const char* name) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += name;
    out_ += "\r\n";
  }
  template <typename T>
  void Field(std::string_view key, const T& value) {
    util::InfoWriter(&out_).Field(key, value);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

}  // namespace

std::string BuildInfo(Server& server, const std::vector<std::string>& requested) {
  static const std::vector<std::string> kDefault = {
      "server",  "clients",    "memory",  "persistence", "stats", "replication", "cpu",
      "modules", "errorstats", "cluster", "keyspace",    "whois", "fleet"};
  std::vector<std::string> sections = requested;
  if (sections.empty() || std::find(sections.begin(), sections.end(), "default") != sections.end())
    sections.insert(sections.end(), kDefault.begin(), kDefault.end());
  bool all = std::find_if(sections.begin(), sections.end(), [](const std::string& s) {
               return s == "all" || s == "everything";
             }) != sections.end();
  auto want = [&](const char* name) {
    return all || std::find(sections.begin(), sections.end(), name) != sections.end();
  };

  const Config& cfg = server.config();
  int64_t now_ms = server.NowMs();
  InfoText info;
  if (want("server")) {
    utsname u{};
    uname(&u);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    int64_t uptime_s = (now_ms - server.start_time_ms()) / 1000;
    info.Section("Server");
    info.Field("redis_version", kRedisCompatVersion);
    info.Field("redis_git_sha1", "00000000");
    info.Field("redis_git_dirty", "0");
    info.Field("redis_mode", "standalone");
    info.Field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    info.Field("arch_bits", sizeof(void*) * 8);
    info.Field("multiplexing_api", "libuv");
    info.Field("process_id", static_cast<int64_t>(getpid()));
    info.Field("tcp_port", cfg.port);
    info.Field("server_time_usec",
               std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    info.Field("uptime_in_seconds", uptime_s);
    info.Field("uptime_in_days", uptime_s / 86400);
    info.Field("hz", 1);
    info.Field("config_file", cfg.config_file);
    info.Field("whois_proxy_version", kProxyVersion);
  }
  if (want("clients")) {
    info.Section("Clients");
    info.Field("connected_clients", server.clients().size());
    info.Field("maxclients", cfg.maxclients);
    info.Field("blocked_clients", 0);
  }
  if (want("memory")) {
    int64_t rss = ResidentBytes();
    info.Section("Memory");
    info.Field("used_memory", rss);
    info.Field("used_memory_human", Human(rss));
    info.Field("used_memory_rss", rss);
    info.Field("used_memory_rss_human", Human(rss));
    info.Field("maxmemory", 0);
    info.Field("maxmemory_policy", "noeviction");
    info.Field("mem_fragmentation_ratio", "1.00");
  }
  if (want("persistence")) {
    info.Section("Persistence");
    info.Field("loading", 0);
    info.Field("async_loading", 0);
    info.Field("rdb_changes_since_last_save", 0);
    info.Field("rdb_bgsave_in_progress", 0);
    info.Field("rdb_last_bgsave_status", "ok");
    info.Field("aof_enabled", 0);
    info.Field("aof_rewrite_in_progress", 0);
    // The record store's own health (README, "The record store"): writable, read_only (reads
    // work, writes fail until the disk has room again) or unavailable.
    if (const storage::RecordStore* store = server.records().store()) {
      storage::StoreHealth h = store->health();
      info.Field("store_state", storage::StoreStateName(h.state));
      info.Field("store_state_reason", InfoValue(h.reason));
      info.Field("store_damaged_records", h.damaged_records);
      info.Field("store_recounts", h.recounts);
      // A store from before packed values is repacked in the background after the upgrade.
      info.Field("store_repacking", store->repacking() ? 1 : 0);
      info.Field("store_repacked_values", store->repacked_values());
      // The head mirror (README, "The record store"): cold reads with one pread.
      storage::HeadMirror::Stats m = store->mirror_stats();
      info.Field("store_mirror", storage::HeadMirror::StateName(m.state));
      info.Field("store_mirror_heads", m.heads);
      info.Field("store_mirror_file_bytes", m.file_bytes);
      info.Field("store_mirror_index_bytes", m.index_bytes);
      info.Field("store_mirror_reads", m.reads);
      info.Field("store_mirror_damaged", m.damaged);
    }
  }
  const ServerStats& st = server.stats();
  if (want("stats")) {
    info.Section("Stats");
    info.Field("total_connections_received", st.connections_received);
    info.Field("total_commands_processed", st.commands_processed);
    info.Field("instantaneous_ops_per_sec", 0);
    info.Field("total_net_input_bytes", st.net_input_bytes);
    info.Field("total_net_output_bytes", st.net_output_bytes);
    info.Field("rejected_connections", st.rejected_connections);
    info.Field("expired_keys", 0);
    info.Field("evicted_keys", 0);
    info.Field("keyspace_hits", server.records().hits());
    info.Field("keyspace_misses", server.records().misses());
    info.Field("total_error_replies", st.protocol_errors);
    info.Field("client_output_buffer_limit_disconnections", st.clients_closed_for_output);
  }
  if (want("replication")) {
    info.Section("Replication");
    info.Field("role", "master");
    info.Field("connected_slaves", 0);
  }
  if (want("cpu")) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    char buf[64];
    info.Section("CPU");
    snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(ru.ru_stime.tv_sec),
             static_cast<long>(ru.ru_stime.tv_usec));
    info.Field("used_cpu_sys", buf);
    snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(ru.ru_utime.tv_sec),
             static_cast<long>(ru.ru_utime.tv_usec));
    info.Field("used_cpu_user", buf);
  }
  if (want("commandstats")) {
    // From the per-command latency histograms (LATENCY HISTOGRAM): what redis_exporter turns
    // into redis_commands_total and redis_commands_duration_seconds_total.
    info.Section("Commandstats");
    char buf[160];
    for (const auto& [name, h] : server.latency().histograms()) {
      const uint64_t usec = h.total_ns() / 1000;
      snprintf(buf, sizeof buf,
               "calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=0,failed_calls=0",
               static_cast<unsigned long long>(h.calls()), static_cast<unsigned long long>(usec),
               h.calls() ? static_cast<double>(usec) / static_cast<double>(h.calls()) : 0.0);
      info.Field("cmdstat_" + name, buf);
    }
  }
  if (want("latencystats")) {
    info.Section("Latencystats");
    char buf[160];
    for (const auto& [name, h] : server.latency().histograms()) {
      snprintf(buf, sizeof buf, "p50=%.3f,p99=%.3f,p99.9=%.3f", h.PercentileUs(50),
               h.PercentileUs(99), h.PercentileUs(99.9));
      info.Field("latency_percentiles_usec_" + name, buf);
    }
  }
  if (want("modules")) info.Section("Modules");
  if (want("errorstats")) info.Section("Errorstats");
  if (want("cluster")) {
    info.Section("Cluster");
    info.Field("cluster_enabled", 0);
  }
  if (want("keyspace")) {
    info.Section("Keyspace");
    uint64_t keys = server.records().Count();
    if (keys > 0)
      info.Field("db0", "keys=" + std::to_string(keys) + ",expires=" + std::to_string(keys) +
                            ",avg_ttl=0");
  }
  if (want("whois")) {
    info.Section("Whois");
    server.records().AppendInfo(&info.str());
  }
  if (want("fleet")) {
    info.Section("Fleet");
    server.records().AppendFleetInfo(&info.str());
  }
  return info.str();
}

}  // namespace server
