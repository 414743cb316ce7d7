// The proxy's own commands, under the WHOIS. prefix: WHOIS.LOOKUP (resolve afresh), WHOIS.RAW
// (the stored chain of raw replies), WHOIS.SERVER (a TLD's directory entry) and WHOIS.LIMIT (an
// upstream host's limits, read or changed at run time).
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/record_service.h"
#include "server/server.h"
#include "whois/limits/limit_registry.h"
#include "whois/limits/limit_spec.h"

namespace server {

void CmdWhoisLookup(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().LookupFresh(ctx.args[1],
                               [&server, t](std::string reply) { server.CompleteReply(t, reply); });
}

void CmdWhoisRaw(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Raw(ctx.args[1], t.protocol,
                       [&server, t](std::string reply) { server.CompleteReply(t, reply); });
}

void CmdWhoisServer(CommandContext& ctx) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().TldServer(ctx.args[1],
                             [&server, t](std::string reply) { server.CompleteReply(t, reply); });
}

// WHOIS.LIMIT host                 -> the limits in force, where they come from, and live figures
// WHOIS.LIMIT host <spec words...> -> OK (an operator rule; replaces the built-in row)
// WHOIS.LIMIT host RESET           -> OK (back to the built-in row or the default)
void CmdWhoisLimit(CommandContext& ctx) {
  whois::limits::LimitRegistry& registry = ctx.server.records().live().limits();
  std::string host = whois::limits::LimitRegistry::CanonicalHost(ctx.args[1]);
  int64_t now = ctx.server.records().WallNowMs();
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
  whois::limits::SpecSource source;
  whois::limits::LimitSpec spec = registry.SpecFor(host, &source);
  whois::limits::HostStats stats = registry.Scheduler(host, now).Stats(now);
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("host");
  ctx.reply.Bulk(host);
  ctx.reply.Bulk("limits");
  ctx.reply.Bulk(whois::limits::FormatLimitSpec(spec));
  ctx.reply.Bulk("source");
  ctx.reply.Bulk(source == whois::limits::SpecSource::kOperator  ? "operator"
                 : source == whois::limits::SpecSource::kBuiltin ? "builtin"
                                                                 : "default");
  ctx.reply.Bulk("in_flight");
  ctx.reply.Integer(stats.in_flight);
  ctx.reply.Bulk("queued");
  ctx.reply.Integer(stats.queued);
  ctx.reply.Bulk("used_today");
  ctx.reply.Integer(stats.used_today);
}

}  // namespace server
