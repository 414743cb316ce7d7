// Key commands over the WHOIS record cache: GET, MGET, EXISTS, TTL, PTTL, DEL, SCAN, SET,
// DBSIZE, FLUSHDB/FLUSHALL. The work is RecordService's; handlers parse arguments and frame
// replies, deferring those that wait on storage or upstream.
#include <charconv>
#include <map>
#include <memory>

#include "server/command_args.h"
#include "server/command_table.h"
#include "server/key_fanout.h"
#include "server/record_service.h"
#include "server/server.h"

namespace server {

using resp::IntegerReply;
using resp::SimpleReply;

void CmdGet(CommandContext& ctx) {
  RecordService& records = ctx.server.records();
  if (records.GetNow(ctx.args[1], ctx.out)) return;
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  records.Get(
      ctx.args[1], t.protocol,
      [&server, t](std::string reply) { server.CompleteReply(t, std::move(reply)); },
      /*after_get_now=*/true);
}

void CmdMget(CommandContext& ctx) {
  // The reply is assembled in key order as the records land: `out` holds the header and the
  // records of keys [0, next); one that lands before an earlier key waits in `early`. Every byte
  // counts against the client's output limits as it arrives, so an MGET whose reply would pass
  // client-output-buffer-hard is cut off while it is built.
  struct State {
    std::string out;
    std::map<size_t, std::string> early;
    size_t next = 0;
    int64_t charged = 0;
    bool dropped = false;
  };
  auto st = std::make_shared<State>();
  resp::ReplyWriter(&st->out, ctx.reply.protocol()).ArrayHeader(ctx.args.size() - 1);
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  KeyFanout::Run(
      server, t, ctx.args.subspan(1),
      [&server, st, t](size_t i, std::string_view key, std::function<void()> landed) {
        server.records().Get(key, t.protocol, [&server, st, t, i, landed](std::string reply) {
          if (!st->dropped && server.ChargeAssembly(t, static_cast<int64_t>(reply.size()))) {
            st->charged += static_cast<int64_t>(reply.size());
            if (i == st->next) {
              st->out += reply;
              for (++st->next; !st->early.empty() && st->early.begin()->first == st->next;
                   ++st->next) {
                st->out += st->early.begin()->second;
                st->early.erase(st->early.begin());
              }
            } else {
              st->early.emplace(i, std::move(reply));
            }
          } else if (!st->dropped) {
            st->dropped = true;  // the client is gone, or closed for its output
            std::string().swap(st->out);
            st->early.clear();
          }
          landed();
        });
      },
      [&server, st, t] {
        server.ChargeAssembly(t, -st->charged);
        server.CompleteReply(t, std::move(st->out));
      });
}

void CmdExists(CommandContext& ctx) {
  auto count = std::make_shared<int64_t>(0);
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  KeyFanout::Run(
      server, t, ctx.args.subspan(1),
      [&server, count](size_t, std::string_view key, std::function<void()> landed) {
        server.records().Exists(key, [count, landed](bool exists) {
          *count += exists;
          landed();
        });
      },
      [&server, count, t] { server.CompleteReply(t, IntegerReply(*count)); });
}

void CmdDel(CommandContext& ctx) {
  struct State {
    int64_t count = 0;
    std::string error_reply;  // the last key's failure, if any
  };
  auto st = std::make_shared<State>();
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  KeyFanout::Run(
      server, t, ctx.args.subspan(1),
      [&server, st](size_t, std::string_view key, std::function<void()> landed) {
        server.records().Delete(key, [st, landed](util::StatusOr<bool> existed) {
          if (existed.ok())
            st->count += *existed;
          else
            st->error_reply = ErrorReplyFor(existed.status());
          landed();
        });
      },
      [&server, st, t] {
        server.CompleteReply(t,
                             st->error_reply.empty() ? IntegerReply(st->count) : st->error_reply);
      });
}

static void TtlCommand(CommandContext& ctx, bool millis) {
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().TtlMs(ctx.args[1], [&server, t, millis](util::StatusOr<int64_t> got) {
    if (!got.ok()) return server.CompleteReply(t, ErrorReplyFor(got.status()));
    int64_t ms = *got;
    int64_t value = ms < 0 ? ms : millis ? ms : (ms + 500) / 1000;
    server.CompleteReply(t, IntegerReply(value));
  });
}

void CmdTtl(CommandContext& ctx) { TtlCommand(ctx, false); }
void CmdPttl(CommandContext& ctx) { TtlCommand(ctx, true); }

void CmdSet(CommandContext& ctx) {
  std::optional<int64_t> ex_ms;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    bool ex = EqualsIgnoreCase(ctx.args[i], "EX"), px = EqualsIgnoreCase(ctx.args[i], "PX");
    if ((ex || px) && i + 1 < ctx.args.size() && !ex_ms) {
      auto v = ToInt(ctx.args[++i]);
      if (!v) return ctx.reply.Error("ERR value is not an integer or out of range");
      if (*v <= 0 || *v > (int64_t{1} << 45))
        return ctx.reply.Error("ERR invalid expire time in 'set' command");
      ex_ms = ex ? *v * 1000 : *v;
    } else {
      return ctx.reply.Error("ERR syntax error");
    }
  }
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Import(ctx.args[1], ctx.args[2], ex_ms, [&server, t](util::Status st) {
    server.CompleteReply(t, st.ok() ? SimpleReply("OK") : ErrorReplyFor(st));
  });
}

void CmdScan(CommandContext& ctx) {
  auto cursor_arg = ctx.args[1];
  uint64_t cursor = 0;
  auto [p, ec] = std::from_chars(cursor_arg.data(), cursor_arg.data() + cursor_arg.size(), cursor);
  if (ec != std::errc() || p != cursor_arg.data() + cursor_arg.size())
    return ctx.reply.Error("ERR invalid cursor");
  std::string match;
  size_t count = 10;
  bool type_mismatch = false;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    if (i + 1 >= ctx.args.size()) return ctx.reply.Error("ERR syntax error");
    std::string_view opt = ctx.args[i], val = ctx.args[i + 1];
    if (EqualsIgnoreCase(opt, "MATCH")) {
      match = val;
    } else if (EqualsIgnoreCase(opt, "COUNT")) {
      auto n = ToInt(val);
      if (!n) return ctx.reply.Error("ERR value is not an integer or out of range");
      if (*n < 1) return ctx.reply.Error("ERR syntax error");
      count = static_cast<size_t>(std::min<int64_t>(*n, 100000));
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      // Every record is a string value, as GET returns it.
      type_mismatch = !EqualsIgnoreCase(val, "string");
    } else {
      return ctx.reply.Error("ERR syntax error");
    }
  }
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().Scan(cursor, match, count,
                        [&server, t, type_mismatch](util::StatusOr<RecordService::ScanPage> page) {
                          if (!page.ok())
                            return server.CompleteReply(t, ErrorReplyFor(page.status()));
                          if (type_mismatch) page->keys.clear();
                          server.CompleteReply(
                              t, resp::BuildReply(t.protocol, [&](resp::ReplyWriter& w) {
                                w.ArrayHeader(2);
                                w.Bulk(std::to_string(page->next));
                                w.ArrayHeader(page->keys.size());
                                for (const auto& k : page->keys) w.Bulk(k);
                              }));
                        });
}

void CmdDbsize(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.records().Count()));
}

void CmdFlushdb(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "ASYNC") &&
                              !EqualsIgnoreCase(ctx.args[1], "SYNC")))
    return ctx.reply.Error("ERR syntax error");
  if (!ctx.server.config().flush_enabled)
    return ctx.reply.Error(
        "ERR FLUSHDB and FLUSHALL are disabled: set 'flush-enabled yes' to allow removing "
        "every cached record");
  ReplyTicket t = ctx.Defer();
  Server& server = ctx.server;
  server.records().FlushAll([&server, t](util::Status st) {
    server.CompleteReply(t, st.ok() ? SimpleReply("OK") : ErrorReplyFor(st));
  });
}

}  // namespace server
