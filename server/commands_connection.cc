// Connection-level commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, CLIENT.
#include <charconv>
#include <optional>
#include <vector>

#include "server/command_args.h"
#include "server/command_table.h"
#include "server/server.h"
#include "server/version.h"

namespace server {
namespace {

// Returns true if the password is right for `user` ("default" is the only user).
bool CheckPassword(Server& server, std::string_view user, std::string_view pass) {
  if (!EqualsIgnoreCase(user, "default")) return false;
  const std::string& want = server.config().requirepass;
  if (want.empty()) return true;  // the default user has no password: any one is accepted
  // Compare in time independent of where the strings differ.
  if (pass.size() != want.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(want[i] ^ pass[i]);
  return diff == 0;
}

void MarkAuthenticated(Connection& conn) {
  conn.authenticated = true;
  conn.parser.set_authenticated(true);
}

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

bool ValidClientName(std::string_view name) {
  for (char c : name)
    if (c < '!' || c > '~') return false;  // Redis: no spaces, newlines or special characters
  return true;
}

}  // namespace

std::string ClientInfoLine(const Server& server, const Connection& c, int64_t now_ms);

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) return ctx.reply.Error(WrongArityError("ping"));
  if (ctx.args.size() == 2) return ctx.reply.Bulk(ctx.args[1]);
  ctx.reply.Simple("PONG");
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Simple("OK");
  ctx.conn.close_after_reply = true;
}

void CmdSelect(CommandContext& ctx) {
  auto db = ToInt(ctx.args[1]);
  if (!db) return ctx.reply.Error("ERR value is not an integer or out of range");
  if (*db != 0) return ctx.reply.Error("ERR DB index is out of range");
  ctx.reply.Simple("OK");
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error("ERR syntax error");
  std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  std::string_view pass = ctx.args.back();
  if (ctx.args.size() == 2 && ctx.server.config().requirepass.empty())
    return ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
  if (!CheckPassword(ctx.server, user, pass)) return ctx.reply.Error(kWrongPass);
  MarkAuthenticated(ctx.conn);
  ctx.reply.Simple("OK");
}

void CmdHello(CommandContext& ctx) {
  auto& conn = ctx.conn;
  int version = conn.protocol;
  size_t i = 1;
  if (ctx.args.size() >= 2) {
    auto v = ToInt(ctx.args[1]);
    if (!v) return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    if (*v < 2 || *v > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
    version = static_cast<int>(*v);
    i = 2;
  }
  std::string_view setname;
  bool has_setname = false;
  for (; i < ctx.args.size(); ++i) {
    bool more = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(ctx.args[i], "AUTH") && i + 2 < ctx.args.size()) {
      if (!CheckPassword(ctx.server, ctx.args[i + 1], ctx.args[i + 2]))
        return ctx.reply.Error(kWrongPass);
      MarkAuthenticated(conn);
      i += 2;
    } else if (EqualsIgnoreCase(ctx.args[i], "SETNAME") && more) {
      setname = ctx.args[++i];
      has_setname = true;
    } else {
      return ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(ctx.args[i]) + "'");
    }
  }
  if (!conn.authenticated)
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
  if (has_setname) {
    if (!ValidClientName(setname))
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    conn.name = setname;
  }
  conn.protocol = version;
  // The reply is already in the protocol just chosen.
  resp::ReplyWriter w(ctx.out, version);
  w.MapHeader(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisCompatVersion);
  w.Bulk("proto");
  w.Integer(version);
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(conn.id));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.ArrayHeader(0);
}

// CLIENT KILL addr:port (the old form: +OK, or an error if no client matched, and it may kill
// the caller) or CLIENT KILL <filter> <value> ... (every filter must match; the number of
// clients killed; the caller only with SKIPME no), as Redis 7.4 has them. Every client here is
// a "normal" one and "default" is the only user.
void CmdClientKill(CommandContext& ctx) {
  auto& args = ctx.args;
  const uint64_t me = ctx.conn.id;
  std::optional<uint64_t> want_id;
  std::optional<std::string_view> want_addr, want_laddr;
  bool type_matches = true;  // TYPE master/replica/pubsub match no client here
  std::optional<int64_t> max_age_s;
  bool skipme = true;
  const bool old_form = args.size() == 3;
  if (old_form) {
    want_addr = args[2];
    skipme = false;
  } else {
    for (size_t i = 2; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) return ctx.reply.Error("ERR syntax error");
      std::string_view k = args[i], v = args[i + 1];
      if (EqualsIgnoreCase(k, "ID")) {
        auto id = ToInt(v);
        if (!id || *id <= 0) return ctx.reply.Error("ERR client-id should be greater than 0");
        want_id = static_cast<uint64_t>(*id);
      } else if (EqualsIgnoreCase(k, "TYPE")) {
        if (EqualsIgnoreCase(v, "normal")) {
        } else if (EqualsIgnoreCase(v, "master") || EqualsIgnoreCase(v, "replica") ||
                   EqualsIgnoreCase(v, "slave") || EqualsIgnoreCase(v, "pubsub")) {
          type_matches = false;
        } else {
          return ctx.reply.Error("ERR Unknown client type '" + std::string(v) + "'");
        }
      } else if (EqualsIgnoreCase(k, "ADDR")) {
        want_addr = v;
      } else if (EqualsIgnoreCase(k, "LADDR")) {
        want_laddr = v;
      } else if (EqualsIgnoreCase(k, "USER")) {
        if (v != "default") return ctx.reply.Error("ERR No such user '" + std::string(v) + "'");
      } else if (EqualsIgnoreCase(k, "SKIPME")) {
        if (EqualsIgnoreCase(v, "yes"))
          skipme = true;
        else if (EqualsIgnoreCase(v, "no"))
          skipme = false;
        else
          return ctx.reply.Error("ERR syntax error");
      } else if (EqualsIgnoreCase(k, "MAXAGE")) {
        auto age = ToInt(v);
        if (!age) return ctx.reply.Error("ERR maxage is not an integer or out of range");
        if (*age <= 0) return ctx.reply.Error("ERR maxage should be greater than 0");
        max_age_s = *age;
      } else {
        return ctx.reply.Error("ERR syntax error");
      }
    }
  }
  const int64_t now = ctx.server.NowMs();
  std::vector<uint64_t> victims;
  for (const auto& [id, c] : ctx.server.clients()) {
    if (!type_matches) break;
    if (want_id && id != *want_id) continue;
    if (want_addr && c->addr != *want_addr) continue;
    if (want_laddr && c->laddr != *want_laddr) continue;
    if (max_age_s && (now - c->created_ms) / 1000 <= *max_age_s) continue;
    if (skipme && id == me) continue;
    victims.push_back(id);
  }
  if (old_form) {
    if (victims.empty()) return ctx.reply.Error("ERR No such client");
    ctx.reply.Simple("OK");
  } else {
    ctx.reply.Integer(static_cast<int64_t>(victims.size()));
  }
  // After the reply: killing the caller closes it once the reply is written.
  for (uint64_t id : victims) ctx.server.KillClient(id);
}

// CLIENT's subcommands: one handler a row of the command table, which has checked the arity
// and answered an unknown subcommand before any of them runs.
void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.conn.id)); }

void CmdClientGetname(CommandContext& ctx) {
  return ctx.conn.name.empty() ? ctx.reply.Null() : ctx.reply.Bulk(ctx.conn.name);
}

void CmdClientSetname(CommandContext& ctx) {
  if (!ValidClientName(ctx.args[2]))
    return ctx.reply.Error(
        "ERR Client names cannot contain spaces, newlines or special characters.");
  ctx.conn.name = ctx.args[2];
  ctx.reply.Simple("OK");
}

void CmdClientSetinfo(CommandContext& ctx) {
  std::string_view attr = ctx.args[2], value = ctx.args[3];
  if (!ValidClientName(value) && !value.empty())
    return ctx.reply.Error("ERR " + std::string(attr) +
                           " cannot contain spaces, newlines or special characters.");
  if (EqualsIgnoreCase(attr, "LIB-NAME"))
    ctx.conn.lib_name = value;
  else if (EqualsIgnoreCase(attr, "LIB-VER"))
    ctx.conn.lib_ver = value;
  else
    return ctx.reply.Error("ERR Unrecognized option '" + std::string(attr) + "'");
  ctx.reply.Simple("OK");
}

void CmdClientList(CommandContext& ctx) {
  std::string out;
  int64_t now = ctx.server.NowMs();
  for (const auto& [id, c] : ctx.server.clients()) out += ClientInfoLine(ctx.server, *c, now);
  ctx.reply.Verbatim("txt", out);
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim("txt", ClientInfoLine(ctx.server, ctx.conn, ctx.server.NowMs()));
}

// MAINT_NOTIFICATIONS, NO-EVICT, NO-TOUCH: accepted, and nothing here depends on them (no
// eviction, no LRU, no cluster maintenance).
void CmdClientAccepted(CommandContext& ctx) { ctx.reply.Simple("OK"); }

void CmdClientHelp(CommandContext& ctx) {
  WriteHelp(ctx.reply, {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                        "ID",
                        "    Return the ID of the current connection.",
                        "GETNAME",
                        "    Return the name of the current connection.",
                        "SETNAME <name>",
                        "    Assign the name <name> to the current connection.",
                        "SETINFO <LIB-NAME|LIB-VER> <value>",
                        "    Set client library name or version.",
                        "INFO",
                        "    Return information about the current client connection.",
                        "LIST",
                        "    Return information about client connections.",
                        "KILL <ip:port>",
                        "    Kill connection made from <ip:port>.",
                        "KILL <option> <value> [<option> <value> [...]]",
                        "    Kill connections. Options are:",
                        "    * ADDR (<ip:port>|<unixsocket>:0)",
                        "      Kill connections made from the specified address",
                        "    * LADDR (<ip:port>|<unixsocket>:0)",
                        "      Kill connections made to specified local address",
                        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                        "      Kill connections by type.",
                        "    * USER <username>",
                        "      Kill connections authenticated by <username>.",
                        "    * SKIPME (YES|NO)",
                        "      Skip killing current connection (default: yes).",
                        "    * ID <client-id>",
                        "      Kill connections by client id.",
                        "    * MAXAGE <maxage>",
                        "      Kill connections older than the specified age.",
                        "HELP",
                        "    Print this help."});
}

std::string ClientInfoLine(const Server&, const Connection& c, int64_t now_ms) {
  std::string line;
  line.reserve(256);
  line +=
      "id=" + std::to_string(c.id) + " addr=" + c.addr + " laddr=" + c.laddr +
      " fd=-1 name=" + c.name + " age=" + std::to_string((now_ms - c.created_ms) / 1000) +
      " idle=" + std::to_string((now_ms - c.last_interaction_ms) / 1000) +
      " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=" + std::to_string(c.in_end - c.in_start) +
      " qbuf-free=" + std::to_string(c.in_capacity - c.in_end) +
      " argv-mem=" + std::to_string(c.ArgumentBytes()) +
      " multi-mem=0 rbs=" + std::to_string(c.in_capacity) +
      " rbp=0 obl=0 oll=" + std::to_string(c.replies.pending()) +
      " omem=" + std::to_string(c.PendingOutput()) +
      " tot-mem=" + std::to_string(c.in_capacity + c.ArgumentBytes() + c.PendingOutput()) +
      " events=r cmd=" + c.last_command +
      " user=default redir=-1 resp=" + std::to_string(c.protocol) + " lib-name=" + c.lib_name +
      " lib-ver=" + c.lib_ver + "\n";
  return line;
}

}  // namespace server
