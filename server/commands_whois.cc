// The proxy's own commands, under the WHOIS. prefix: WHOIS.LOOKUP (resolve afresh), WHOIS.RAW
// (the stored chain of raw replies), WHOIS.SERVER (a TLD's directory entry) and WHOIS.LIMIT (an
// upstream host's limits, read or changed at run time).
#include <algorithm>
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/record_service.h"
#include "server/server.h"
#include "whois/limits/limit_registry.h"
#include "whois/limits/limit_spec.h"

namespace server {

void CmdWhoisLookup(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().LookupFresh(
      ctx.args[1], [&server, t](std::string reply) { server.CompleteReply(t, std::move(reply)); });
}

void CmdWhoisRaw(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Raw(ctx.args[1], t.protocol, [&server, t](std::string reply) {
    server.CompleteReply(t, std::move(reply));
  });
}

void CmdWhoisServer(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().TldServer(
      ctx.args[1], [&server, t](std::string reply) { server.CompleteReply(t, std::move(reply)); });
}

namespace {

// One host's limits and live figures, as a map.
void WriteHostLimits(resp::ReplyWriter& w, whois::limits::LimitRegistry& registry,
                     const std::string& host, int64_t now_ms) {
  whois::limits::SpecSource source;
  whois::limits::LimitSpec spec = registry.SpecFor(host, &source);
  // A host not seen yet is shown as a fresh scheduler would be, without creating one: any
  // client may ask about any name, and the registry must not grow with the names asked.
  const whois::limits::HostScheduler* seen = registry.Find(host);
  whois::limits::HostStats s =
      seen ? seen->Stats(now_ms)
           : whois::limits::HostScheduler(host, spec, 1, now_ms).Stats(now_ms);
  w.MapHeader(14);
  w.Bulk("host");
  w.Bulk(host);
  w.Bulk("limits");
  w.Bulk(whois::limits::FormatLimitSpec(spec));
  w.Bulk("source");
  w.Bulk(source == whois::limits::SpecSource::kOperator  ? "operator"
         : source == whois::limits::SpecSource::kBuiltin ? "builtin"
                                                         : "default");
  w.Bulk("in_flight");
  w.Integer(s.in_flight);
  w.Bulk("queued");
  w.Integer(s.queued);
  w.Bulk("admitted");
  w.Integer(s.admitted);
  w.Bulk("window");  // starts in the current shortest window, against its (possibly lowered) cap
  w.Bulk(s.window_ms > 0 ? std::to_string(s.window_count) + "/" + std::to_string(s.window_limit) +
                               " per " + std::to_string(s.window_ms) + "ms"
                         : std::string("none"));
  w.Bulk("used_today");
  w.Integer(s.used_today);
  w.Bulk("daily_cap");
  w.Integer(s.daily_cap);
  w.Bulk("cooldown_remaining_ms");
  w.Integer(std::max<int64_t>(0, s.cooldown_until_ms - now_ms));
  w.Bulk("probing");
  w.Integer(s.probing ? 1 : 0);
  w.Bulk("rate_percent");
  w.Integer(s.rate_factor_percent);
  w.Bulk("refusals");
  w.Integer(s.refusals);
  w.Bulk("rejected");
  int64_t rejected = 0;
  for (int64_t n : s.rejected) rejected += n;
  w.Integer(rejected);
}

}  // namespace

// WHOIS.LIMITS                       -> every upstream host seen: limits and live figures
// WHOIS.LIMITS host                  -> that host's
// WHOIS.LIMITS host <spec words...>  -> OK (an operator rule; replaces the built-in row)
// WHOIS.LIMITS host RESET            -> OK (back to the built-in row or the default)
void CmdWhoisLimits(CommandContext& ctx) {
  whois::limits::LimitRegistry& registry = ctx.server.records().live().limits();
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
    ctx.server.records().live().gate().Pump();
    return ctx.reply.Simple("OK");
  }
  if (ctx.args.size() > 2) {
    std::vector<std::string> words(ctx.args.begin() + 2, ctx.args.end());
    auto spec = whois::limits::ParseLimitSpec(words);
    if (auto* e = std::get_if<std::string>(&spec)) return ctx.reply.Error("ERR " + *e);
    registry.SetLimit(host, std::get<whois::limits::LimitSpec>(spec), now);
    ctx.server.records().live().gate().Pump();
    return ctx.reply.Simple("OK");
  }
  WriteHostLimits(ctx.reply, registry, host, now);
}

}  // namespace server
