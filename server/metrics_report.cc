#include "server/metrics_report.h"

#include <algorithm>
#include <string>

#include "server/prometheus_text.h"
#include "server/record_service.h"
#include "server/server.h"
#include "server/whois_front_door.h"
#include "whois/limits/back_off.h"

namespace server {
namespace {

using Type = PrometheusText::Type;

void ReadFigures(PrometheusText& p, const RecordService& records) {
  const RecordService::ReadOutcomes& r = records.read_outcomes();
  p.Family("whois_proxy_gets_total", Type::kCounter,
           "Keys read by GET and MGET, by outcome: hot_hit and store_hit (fresh), stale (served "
           "stale while refreshed), miss (looked up live), invalid (not a domain name).");
  for (auto [outcome, n] :
       {std::pair{"hot_hit", r.hot_hit}, std::pair{"store_hit", r.store_hit},
        std::pair{"stale", r.stale}, std::pair{"miss", r.miss}, std::pair{"invalid", r.invalid}})
    p.Sample("whois_proxy_gets_total", {{"outcome", outcome}}, static_cast<double>(n));

  p.Family("whois_proxy_lookup_duration_seconds", Type::kHistogram,
           "Live lookups (registry and registrar chain) from start to result.");
  p.HistogramSamples("whois_proxy_lookup_duration_seconds", {}, records.lookup_seconds());
  p.Counter("whois_proxy_lookups_total", "Live lookups started (a GET joining one is not counted).",
            static_cast<double>(records.lookups_started()));
  p.Counter("whois_proxy_lookups_joined_total",
            "GETs that joined a live lookup of the same domain already in flight.",
            static_cast<double>(records.lookups_joined()));
  p.Gauge("whois_proxy_lookups_in_flight", "Live lookups running now.",
          static_cast<double>(records.lookups_in_flight()));

  p.Family("whois_proxy_fallbacks_total", Type::kCounter,
           "Fallback records answered, by reason (rate_limited, daily_limit, queue_full, "
           "timeout, unreachable, refused, no_server).");
  for (const auto& [reason, n] : records.fallbacks_by_reason())
    p.Sample("whois_proxy_fallbacks_total", {{"reason", reason}}, static_cast<double>(n));

  p.Counter("whois_proxy_refreshes_total", "Background refreshes of stale or ageing records.",
            static_cast<double>(records.refreshes_started()));
  p.Family("whois_proxy_refresh_results_total", Type::kCounter,
           "Background refreshes that ended, by result.");
  p.Sample("whois_proxy_refresh_results_total", {{"result", "succeeded"}},
           static_cast<double>(records.refreshes_succeeded()));
  p.Sample("whois_proxy_refresh_results_total", {{"result", "failed"}},
           static_cast<double>(records.refreshes_failed()));
}

void UpstreamFigures(PrometheusText& p, RecordService& records) {
  const int64_t now = records.WallNowMs();
  auto stats = records.lookup_service().limits().Stats(now);
  using whois::limits::Outcome;
  p.Family("whois_proxy_upstream_queries_total", Type::kCounter,
           "Upstream queries (WHOIS and RDAP) that ended, by host and outcome (ok, refused, "
           "reset, timeout, other_failure).");
  for (const auto& [host, s] : stats)
    for (size_t i = 0; i < whois::limits::kOutcomes; ++i)
      p.Sample("whois_proxy_upstream_queries_total",
               {{"host", host}, {"outcome", whois::limits::OutcomeName(static_cast<Outcome>(i))}},
               static_cast<double>(s.outcomes[i]));
  p.Family("whois_proxy_upstream_rejected_total", Type::kCounter,
           "Upstream queries our own limits did not start, by host and reason.");
  for (const auto& [host, s] : stats)
    for (size_t i = 0; i < s.rejected.size(); ++i)
      p.Sample("whois_proxy_upstream_rejected_total",
               {{"host", host},
                {"reason",
                 whois::limits::RejectReasonName(static_cast<whois::limits::RejectReason>(i))}},
               static_cast<double>(s.rejected[i]));
  struct HostGauge {
    const char* name;
    const char* help;
    double (*value)(const whois::limits::HostStats&);
  };
  static const HostGauge kGauges[] = {
      {"whois_proxy_upstream_in_flight", "Queries to the host running now.",
       [](const whois::limits::HostStats& s) { return static_cast<double>(s.in_flight); }},
      {"whois_proxy_upstream_queued", "Queries waiting for the host's limits.",
       [](const whois::limits::HostStats& s) { return static_cast<double>(s.queued); }},
      {"whois_proxy_upstream_used_today", "Daily quota used (0 without a daily cap).",
       [](const whois::limits::HostStats& s) { return static_cast<double>(s.used_today); }},
      {"whois_proxy_upstream_daily_cap", "The host's daily cap (0: none).",
       [](const whois::limits::HostStats& s) { return static_cast<double>(s.daily_cap); }},
      {"whois_proxy_upstream_rate_factor_ratio",
       "Share of the configured rates in use after back-off (1: all).",
       [](const whois::limits::HostStats& s) { return s.rate_factor_percent / 100.0; }},
  };
  for (const HostGauge& g : kGauges) {
    p.Family(g.name, Type::kGauge, g.help);
    for (const auto& [host, s] : stats) p.Sample(g.name, {{"host", host}}, g.value(s));
  }
  p.Family("whois_proxy_upstream_cooldown_seconds", Type::kGauge,
           "Seconds until the host's cool-down after refusals ends (0: none).");
  for (const auto& [host, s] : stats)
    p.Sample("whois_proxy_upstream_cooldown_seconds", {{"host", host}},
             static_cast<double>(std::max<int64_t>(0, s.cooldown_until_ms - now)) / 1000);
}

void StoreFigures(PrometheusText& p, const RecordService& records) {
  p.Gauge("whois_proxy_records", "Records in the store.", static_cast<double>(records.Count()));
  if (const storage::HotSet* hot = records.hot_set()) {
    p.Gauge("whois_proxy_hot_set_entries", "Records in the in-memory hot set.",
            static_cast<double>(hot->size()));
    p.Gauge("whois_proxy_hot_set_bytes", "Bytes the hot set holds.",
            static_cast<double>(hot->bytes()));
    p.Gauge("whois_proxy_hot_set_max_bytes", "The hot set's size limit (hot-set-size).",
            static_cast<double>(hot->max_bytes()));
  }
  const storage::RecordStore* store = records.store();
  if (store == nullptr) return;
  storage::StoreStats s = store->stats();
  p.Gauge("whois_proxy_store_disk_bytes", "Bytes of the store's files on disk.",
          static_cast<double>(s.disk_bytes));
  p.Gauge("whois_proxy_store_memory_bytes", "LevelDB's approximate memory use.",
          static_cast<double>(s.memory_bytes));
  p.Gauge("whois_proxy_store_table_files", "LevelDB table files.",
          static_cast<double>(s.table_files));
  p.Gauge("whois_proxy_store_level0_files",
          "LevelDB level-0 files (writes slow down at 8 and stop at 12).",
          static_cast<double>(s.level0_files));
  p.Counter("whois_proxy_store_reads_total", "LevelDB reads.", static_cast<double>(s.reads));
  p.Counter("whois_proxy_store_writes_total", "LevelDB write batches.",
            static_cast<double>(s.writes));
  p.Counter("whois_proxy_store_compaction_seconds_total", "Time LevelDB spent compacting.",
            static_cast<double>(s.compaction_ms) / 1000);
  p.Counter("whois_proxy_store_compaction_read_bytes_total", "Bytes compactions read.",
            static_cast<double>(s.compaction_read_bytes));
  p.Counter("whois_proxy_store_compaction_written_bytes_total", "Bytes compactions wrote.",
            static_cast<double>(s.compaction_write_bytes));
  storage::StoreHealth h = store->health();
  p.Family("whois_proxy_store_state", Type::kGauge,
           "1 for the store's current state (writable, read_only, unavailable).");
  for (auto state : {storage::StoreState::kWritable, storage::StoreState::kReadOnly,
                     storage::StoreState::kUnavailable})
    p.Sample("whois_proxy_store_state", {{"state", storage::StoreStateName(state)}},
             h.state == state ? 1 : 0);
}

void ServerFigures(PrometheusText& p, Server& server) {
  const ServerStats& st = server.stats();
  p.Gauge("whois_proxy_clients", "Connected Redis-protocol clients.",
          static_cast<double>(server.clients().size()));
  p.Counter("whois_proxy_connections_total", "Redis-protocol connections accepted.",
            static_cast<double>(st.connections_received));
  p.Counter("whois_proxy_rejected_connections_total",
            "Connections refused because maxclients was reached.",
            static_cast<double>(st.rejected_connections));
  p.Counter("whois_proxy_commands_total", "Commands processed.",
            static_cast<double>(st.commands_processed));
  p.Counter("whois_proxy_slowlog_entries_total",
            "Commands that ran at least slowlog-log-slower-than (the slow log's last id + 1).",
            static_cast<double>(server.slow_log().recorded()));
  if (const WhoisFrontDoor* w = server.whois_front_door()) {
    p.Counter("whois_proxy_whois_port_queries_total", "Query lines the WHOIS port received.",
              static_cast<double>(w->figures().queries));
    p.Counter("whois_proxy_whois_port_limited_total",
              "WHOIS port queries refused by whois-port-limit.",
              static_cast<double>(w->figures().limited));
    p.Gauge("whois_proxy_whois_port_connections", "Open WHOIS port connections.",
            static_cast<double>(w->connections()));
  }
  p.Gauge("whois_proxy_uptime_seconds", "Seconds since the server started.",
          static_cast<double>(server.NowMs() - server.start_time_ms()) / 1000);
}

}  // namespace

std::string BuildMetrics(Server& server) {
  PrometheusText p;
  ServerFigures(p, server);
  RecordService& records = server.records();
  ReadFigures(p, records);
  UpstreamFigures(p, records);
  StoreFigures(p, records);
  return p.Take();
}

}  // namespace server
