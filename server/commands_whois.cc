// The proxy's own commands, under the WHOIS. prefix: WHOIS.LOOKUP (resolve afresh), WHOIS.RAW
// (the stored chain of raw replies), WHOIS.SERVER (a TLD's directory entry), WHOIS.LIMITS (an
// upstream host's limits, read or changed at run time), WHOIS.HISTORY (earlier versions of a
// record), WHOIS.PREFETCH (queue background lookups) and WHOIS.QUEUE (the background queue).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/command_args.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/record_service.h"
#include "server/server.h"
#include "whois/hosts/host_profile.h"
#include "whois/limits/drain_estimate.h"
#include "whois/limits/limit_registry.h"
#include "whois/limits/limit_spec.h"
#include "whois/record/record.h"

namespace server {
namespace {

// One entry of a map reply: its key, then its integer value.
void IntegerEntry(resp::ReplyWriter& w, std::string_view key, int64_t value) {
  w.Bulk(key);
  w.Integer(value);
}

}  // namespace

void CmdWhoisLookup(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().LookupFresh(
      ctx.args[1], [&server, t](std::string reply) { server.CompleteReply(t, std::move(reply)); });
}

// WHOIS.RAW name -> [{server, query, fetched_at, text}, ...], nil when no chain is stored
void CmdWhoisRaw(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Raw(
      ctx.args[1], [&server, t](util::StatusOr<std::vector<storage::RawReply>> chain) {
        if (!chain.ok() && chain.status().IsNotFound())
          return server.CompleteReply(t, resp::NullReply(t.protocol));
        if (!chain.ok()) return server.CompleteReply(t, ErrorReplyFor(chain.status()));
        server.CompleteReply(t, resp::BuildReply(t.protocol, [&](resp::ReplyWriter& w) {
                               w.ArrayHeader(chain->size());
                               for (const auto& hop : *chain) {
                                 w.MapHeader(4);
                                 w.Bulk("server");
                                 w.Bulk(hop.server);
                                 w.Bulk("query");
                                 w.Bulk(hop.query);
                                 IntegerEntry(w, "fetched_at", hop.fetched_at_ms / 1000);
                                 w.Bulk("text");
                                 w.Bulk(hop.text);
                               }
                             }));
      });
}

namespace {

// WHOIS.SERVER's JSON: the entry, with the query format and charset its host's profile gives.
std::string TldServerJson(const whois::ServerEntry& e) {
  const whois::HostProfile& profile = whois::HostProfileFor(e.host);
  nlohmann::ordered_json j;
  j["tld"] = e.tld;
  if (e.host.empty()) {
    j["host"] = nullptr;  // the TLD has no port-43 WHOIS service
  } else {
    j["host"] = e.host;
    if (e.port != 43) j["port"] = e.port;
    j["query_format"] = e.query_format.empty() ? std::string(profile.query_format) : e.query_format;
    j["charset"] = std::string(profile.charset);
  }
  j["origin"] = e.origin == whois::ServerEntry::Origin::kBundled ? "bundled"
                : e.origin == whois::ServerEntry::Origin::kIana  ? "iana"
                                                                 : "config";
  if (e.learned_at_ms > 0) j["learned_at"] = whois::FormatIsoUtc(e.learned_at_ms);
  return j.dump();
}

}  // namespace

// WHOIS.SERVER tld -> the TLD's directory entry as JSON
void CmdWhoisServer(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().TldServer(ctx.args[1], [&server, t](util::StatusOr<whois::ServerEntry> e) {
    server.CompleteReply(t,
                         e.ok() ? resp::BulkReply(TldServerJson(*e)) : ErrorReplyFor(e.status()));
  });
}

// WHOIS.HISTORY name [COUNT n]
void CmdWhoisHistory(CommandContext& ctx) {
  size_t count = SIZE_MAX;
  if (ctx.args.size() != 2) {
    if (ctx.args.size() != 4 || !EqualsIgnoreCase(ctx.args[2], "COUNT"))
      return ctx.reply.Error("ERR syntax error");
    auto n = ToInt(ctx.args[3]);
    if (!n) return ctx.reply.Error("ERR value is not an integer or out of range");
    if (*n < 1) return ctx.reply.Error("ERR COUNT must be at least 1");
    count = static_cast<size_t>(*n);
  }
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().History(
      ctx.args[1], count, [&server, t](util::StatusOr<std::vector<std::string>> versions) {
        if (!versions.ok()) return server.CompleteReply(t, ErrorReplyFor(versions.status()));
        server.CompleteReply(t, resp::BuildReply(t.protocol, [&](resp::ReplyWriter& w) {
                               w.ArrayHeader(versions->size());
                               for (const auto& json : *versions) w.Bulk(json);
                             }));
      });
}

// WHOIS.CACHED name [name ...] -> the stored records as they are, nil where none (MGET without
// lookups, refreshes or stale marks: what an export wants)
void CmdWhoisCached(CommandContext& ctx) {
  struct Gather {
    std::vector<std::optional<std::string>> results;
    size_t remaining = 0;
  };
  auto g = std::make_shared<Gather>();
  g->results.resize(ctx.args.size() - 1);
  g->remaining = g->results.size();
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  for (size_t i = 0; i + 1 < ctx.args.size(); ++i) {
    server.records().Cached(ctx.args[i + 1], [&server, t, g, i](std::optional<std::string> json) {
      g->results[i] = std::move(json);
      if (--g->remaining > 0) return;
      std::string out;
      resp::ReplyWriter w(&out, t.protocol);
      w.ArrayHeader(g->results.size());
      for (const auto& r : g->results) {
        if (r)
          w.Bulk(*r);
        else
          w.Null();
      }
      server.CompleteReply(t, out);
    });
  }
}

// WHOIS.PREFETCH name [name ...] -> how many were queued
void CmdWhoisPrefetch(CommandContext& ctx) {
  std::vector<std::string> names(ctx.args.begin() + 1, ctx.args.end());
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Prefetch(std::move(names), [&server, t](util::StatusOr<int64_t> queued) {
    server.CompleteReply(
        t, queued.ok() ? resp::IntegerReply(*queued) : ErrorReplyFor(queued.status()));
  });
}

// WHOIS.QUEUE -> {queued, in_flight, done, failed, refreshes_queued, refreshes_in_flight,
//                 hosts: {host: {queued, in_flight, drain_seconds}}}
void CmdWhoisQueue(CommandContext& ctx) {
  BackgroundLookups::Figures f = ctx.server.records().QueueFigures();
  whois::limits::LimitRegistry& registry = ctx.server.records().lookup_service().limits();
  int64_t now = ctx.server.records().WallNowMs();
  resp::ReplyWriter& w = ctx.reply;
  w.MapHeader(7);
  IntegerEntry(w, "queued", f.prefetch_queued);
  IntegerEntry(w, "in_flight", f.prefetch_running);
  IntegerEntry(w, "done", f.prefetch_done);
  IntegerEntry(w, "failed", f.prefetch_failed);
  IntegerEntry(w, "refreshes_queued", f.refreshes_queued);
  IntegerEntry(w, "refreshes_in_flight", f.refreshes_running);
  w.Bulk("hosts");
  w.MapHeader(f.hosts.size());
  for (const auto& [host, h] : f.hosts) {
    w.Bulk(host);
    w.MapHeader(3);
    IntegerEntry(w, "queued", h.queued);
    IntegerEntry(w, "in_flight", h.running);
    w.Bulk("drain_seconds");
    // At the host's allowed rate (lowered while it backs off); null when no rate bounds it.
    // Its budgets (one per source address or network) drain their shares side by side.
    const whois::limits::HostScheduler& scheduler = registry.Scheduler(host, now);
    const uint64_t budgets = scheduler.budget_count();
    std::optional<int64_t> ms = whois::limits::DrainEstimateMs(
        registry.SpecFor(host), scheduler.back_off(), (h.queued + budgets - 1) / budgets);
    if (ms)
      w.Integer((*ms + 999) / 1000);
    else
      w.Null();
  }
}

namespace {

// Starts in the current shortest window against its (possibly lowered) cap, e.g. "3/5 per 1000ms".
std::string WindowText(int64_t count, int64_t limit, int64_t window_ms) {
  if (window_ms <= 0) return "none";
  return std::to_string(count) + "/" + std::to_string(limit) + " per " + std::to_string(window_ms) +
         "ms";
}

// The six fields a host and each of its budgets share, in the order both show them: starts in
// the current shortest window against its (possibly lowered) cap, the day's count and cap, the
// cool-down left, whether it is probing, and the rate factor. `Stats` is HostStats or
// BudgetStats, which name these figures alike.
template <typename Stats>
void WriteSpending(resp::ReplyWriter& w, const Stats& s, int64_t now_ms) {
  w.Bulk("window");
  w.Bulk(WindowText(s.window_count, s.window_limit, s.window_ms));
  IntegerEntry(w, "used_today", s.used_today);
  IntegerEntry(w, "daily_cap", s.daily_cap);
  IntegerEntry(w, "cooldown_remaining_ms", std::max<int64_t>(0, s.cooldown_until_ms - now_ms));
  IntegerEntry(w, "probing", s.probing ? 1 : 0);
  IntegerEntry(w, "rate_percent", s.rate_factor_percent);
}

// One budget's figures, as a map.
void WriteBudget(resp::ReplyWriter& w, const whois::limits::BudgetStats& b, int64_t now_ms) {
  w.MapHeader(12);
  w.Bulk("budget");  // the source address, its network ("127.0.1.0/24") or "all"
  w.Bulk(whois::limits::BudgetLabel(b.key));
  w.Bulk("addresses");  // the source addresses spending from it ("" is the kernel's choice)
  w.ArrayHeader(b.addresses.size());
  for (const std::string& a : b.addresses) w.Bulk(a);
  IntegerEntry(w, "in_flight", b.in_flight);
  IntegerEntry(w, "admitted", b.admitted);
  WriteSpending(w, b, now_ms);
  IntegerEntry(w, "strikes", b.strikes);
  IntegerEntry(w, "refusals", b.refusals);
}

// One host's limits and live figures, as a map: the host's sums, then each budget.
void WriteHostLimits(resp::ReplyWriter& w, whois::limits::LimitRegistry& registry,
                     const std::string& host, int64_t now_ms) {
  whois::limits::SpecSource source;
  whois::limits::LimitSpec spec = registry.SpecFor(host, &source);
  // A host not seen yet is shown as a fresh scheduler would be, without creating one: any
  // client may ask about any name, and the registry must not grow with the names asked.
  const whois::limits::HostScheduler* seen = registry.Find(host);
  whois::limits::HostStats s =
      seen ? seen->Stats(now_ms)
           : whois::limits::HostScheduler(host, spec, 1, now_ms, registry.sources()).Stats(now_ms);
  w.MapHeader(16);
  w.Bulk("host");
  w.Bulk(host);
  w.Bulk("limits");
  w.Bulk(whois::limits::FormatLimitSpec(spec));
  w.Bulk("source");
  w.Bulk(source == whois::limits::SpecSource::kOperator  ? "operator"
         : source == whois::limits::SpecSource::kBuiltin ? "builtin"
                                                         : "default");
  IntegerEntry(w, "in_flight", s.in_flight);
  IntegerEntry(w, "queued", s.queued);
  IntegerEntry(w, "admitted", s.admitted);
  WriteSpending(w, s, now_ms);
  IntegerEntry(w, "refusals", s.refusals);
  w.Bulk("rejected");
  int64_t rejected = 0;
  for (int64_t n : s.rejected) rejected += n;
  w.Integer(rejected);
  IntegerEntry(w, "budget_count", s.budgets.size());
  w.Bulk("budgets");
  w.ArrayHeader(s.budgets.size());
  for (const whois::limits::BudgetStats& b : s.budgets) WriteBudget(w, b, now_ms);
}

}  // namespace

// WHOIS.LIMITS                       -> every upstream host seen: limits and live figures
// WHOIS.LIMITS host                  -> that host's
// WHOIS.LIMITS host <spec words...>  -> OK (an operator rule; replaces the built-in row)
// WHOIS.LIMITS host RESET            -> OK (back to the built-in row or the default)
void CmdWhoisLimits(CommandContext& ctx) {
  whois::limits::LimitRegistry& registry = ctx.server.records().lookup_service().limits();
  int64_t now = ctx.server.records().WallNowMs();
  if (ctx.args.size() == 1) {
    auto all = registry.Stats(now);
    ctx.reply.ArrayHeader(all.size());
    for (const auto& [host, stats] : all) WriteHostLimits(ctx.reply, registry, host, now);
    return;
  }
  if (!IsValidUpstreamHost(ctx.args[1]))
    return ctx.reply.Error("ERR " + InvalidUpstreamHostError(ctx.args[1]));
  std::string host = whois::limits::LimitRegistry::CanonicalHost(ctx.args[1]);
  if (ctx.args.size() == 3 && (ctx.args[2] == "RESET" || ctx.args[2] == "reset")) {
    registry.ClearLimit(host, now);
    ctx.server.records().lookup_service().ApplyLimits();
    return ctx.reply.Simple("OK");
  }
  if (ctx.args.size() > 2) {
    std::vector<std::string> words(ctx.args.begin() + 2, ctx.args.end());
    auto spec = whois::limits::ParseLimitSpec(words);
    if (!spec.ok()) return ctx.reply.Error("ERR " + spec.status().message());
    registry.SetLimit(host, *spec, now);
    ctx.server.records().lookup_service().ApplyLimits();
    return ctx.reply.Simple("OK");
  }
  WriteHostLimits(ctx.reply, registry, host, now);
}

}  // namespace server
