// The proxy's own commands, under the WHOIS. prefix: WHOIS.LOOKUP (resolve afresh), WHOIS.RAW
// (the stored chain of raw replies) and WHOIS.SERVER (a TLD's directory entry).
#include "server/command_table.h"
#include "server/record_service.h"
#include "server/server.h"

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

}  // namespace server
