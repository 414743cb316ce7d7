// Diagnostic commands as Redis 7 answers them: SLOWLOG and LATENCY (what redis_exporter and
// redis-cli --latency-history ask for). The data is the server's SlowLog and LatencyMonitor.
#include <string>
#include <vector>

#include "server/command_args.h"
#include "server/command_table.h"
#include "server/server.h"

namespace server {
namespace {

void WriteHistogram(resp::ReplyWriter& w, const LatencyHistogram& h) {
  w.MapHeader(2);
  w.Bulk("calls");
  w.Integer(static_cast<int64_t>(h.calls()));
  w.Bulk("histogram_usec");
  auto buckets = h.Cumulative();
  w.MapHeader(buckets.size());
  for (const auto& [usec, count] : buckets) {
    w.Integer(usec);
    w.Integer(static_cast<int64_t>(count));
  }
}

}  // namespace

void CmdSlowlogGet(CommandContext& ctx) {
  auto& w = ctx.reply;
  SlowLog& log = ctx.server.slow_log();
  int64_t count = 10;  // Redis's default
  if (ctx.args.size() == 3) {
    auto n = ToInt(ctx.args[2]);
    if (!n || *n < -1) return w.Error("ERR count should be greater than or equal to -1");
    count = *n;
  }
  auto entries = log.Newest(count);
  w.ArrayHeader(entries.size());
  for (const SlowLogEntry* e : entries) {
    w.ArrayHeader(6);
    w.Integer(static_cast<int64_t>(e->id));
    w.Integer(e->unix_time_s);
    w.Integer(e->duration_us);
    w.ArrayHeader(e->args.size());
    for (const auto& a : e->args) w.Bulk(a);
    w.Bulk(e->client_addr);
    w.Bulk(e->client_name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.slow_log().size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.slow_log().Reset();
  ctx.reply.Simple("OK");
}

void CmdSlowlogHelp(CommandContext& ctx) {
  WriteHelp(ctx.reply,
            {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean "
             "all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP "
             "and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog.", "HELP", "    Print this help."});
}

void CmdLatencyLatest(CommandContext& ctx) {
  auto& w = ctx.reply;
  LatencyMonitor& mon = ctx.server.latency();
  w.ArrayHeader(mon.events().size());
  for (const auto& [name, e] : mon.events()) {
    w.ArrayHeader(4);
    w.Bulk(name);
    w.Integer(e.latest.unix_time_s);
    w.Integer(e.latest.ms);
    w.Integer(e.max_ms);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  auto& w = ctx.reply;
  LatencyMonitor& mon = ctx.server.latency();
  auto it = mon.events().find(std::string(ctx.args[2]));
  if (it == mon.events().end()) return w.ArrayHeader(0);
  w.ArrayHeader(it->second.history.size());
  for (const LatencySample& s : it->second.history) {
    w.ArrayHeader(2);
    w.Integer(s.unix_time_s);
    w.Integer(s.ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  auto& w = ctx.reply;
  LatencyMonitor& mon = ctx.server.latency();
  std::vector<std::string> names(ctx.args.begin() + 2, ctx.args.end());
  w.Integer(static_cast<int64_t>(mon.Reset(names)));
}

void CmdLatencyHistogram(CommandContext& ctx) {
  auto& w = ctx.reply;
  LatencyMonitor& mon = ctx.server.latency();
  // As Redis: every command that has run, or the named ones that have (unknown names and
  // commands never run are left out).
  std::vector<std::pair<std::string_view, const LatencyHistogram*>> shown;
  if (ctx.args.size() == 2) {
    for (const auto& [name, h] : mon.histograms()) shown.emplace_back(name, &h);
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = ctx.server.commands().Find(ctx.args[i]);
      if (spec == nullptr) continue;
      auto it = mon.histograms().find(spec->name);
      if (it == mon.histograms().end()) continue;
      bool seen = false;
      for (const auto& s : shown) seen = seen || s.first == it->first;
      if (!seen) shown.emplace_back(it->first, &it->second);
    }
  }
  w.MapHeader(shown.size());
  for (const auto& [name, h] : shown) {
    w.Bulk(name);
    WriteHistogram(w, *h);
  }
}

void CmdLatencyHelp(CommandContext& ctx) {
  WriteHelp(ctx.reply,
            {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "HISTORY <event>",
             "    Return time-latency samples for the <event> class.", "LATEST",
             "    Return the latest latency samples for all events.", "RESET [<event> ...]",
             "    Reset latency data of one or more <event> classes.",
             "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
             "    Return a cumulative distribution of latencies in the format of a "
             "histogram for the specified command names.",
             "    If no commands are specified then all histograms are replied.", "HELP",
             "    Print this help."});
}

}  // namespace server
