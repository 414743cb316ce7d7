#include "server/command_table.h"

#include <cctype>

#include "util/ascii.h"

namespace server {
namespace {

// Error texts go out as simple errors: no CR or LF may reach the wire.
std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

}  // namespace

CommandTable::CommandTable() {
  specs_ = {
      {"ping", -1, kCmdFast, CmdPing, 0, 0, 0, "Returns the server's liveliness response.",
       "connection"},
      {"echo", 2, kCmdFast, CmdEcho, 0, 0, 0, "Returns the given string.", "connection"},
      {"quit", -1, kCmdNoAuth | kCmdFast, CmdQuit, 0, 0, 0, "Closes the connection.", "connection"},
      {"hello", -1, kCmdNoAuth | kCmdFast, CmdHello, 0, 0, 0,
       "Handshakes with the server (protocol version, AUTH, SETNAME).", "connection"},
      {"auth", -2, kCmdNoAuth | kCmdFast, CmdAuth, 0, 0, 0, "Authenticates the connection.",
       "connection"},
      {"select", 2, kCmdFast, CmdSelect, 0, 0, 0, "Selects the database (only 0 exists).",
       "connection"},
      {"client",
       -2,
       0,
       nullptr,  // every call names a subcommand (arity -2)
       0,
       0,
       0,
       "Client connection commands.",
       "connection",
       // Redis 7's arities (MAINT_NOTIFICATIONS is Redis 8's).
       {{"id", 2, CmdClientId},
        {"getname", 2, CmdClientGetname},
        {"setname", 3, CmdClientSetname},
        {"setinfo", 4, CmdClientSetinfo},
        {"list", -2, CmdClientList},
        {"info", 2, CmdClientInfo},
        {"kill", -3, CmdClientKill},
        {"maint_notifications", -3, CmdClientAccepted},
        {"no-evict", 3, CmdClientAccepted},
        {"no-touch", 3, CmdClientAccepted},
        {"help", 2, CmdClientHelp}}},
      {"command",
       -1,
       kCmdLoading | kCmdStale,
       CmdCommand,
       0,
       0,
       0,
       "Returns detailed information about all commands.",
       "server",
       {{"count", 2, CmdCommandCount},
        {"docs", -2, CmdCommandDocs},
        {"info", -2, CmdCommandInfo},
        {"list", -2, CmdCommandList}}},
      {"config",
       -2,
       kCmdAdmin,
       nullptr,
       0,
       0,
       0,
       "Gets or sets configuration parameters.",
       "server",
       {{"get", -3, CmdConfigGet},
        {"set", -4, CmdConfigSet},
        {"resetstat", 2, CmdConfigResetstat},
        {"help", 2, CmdConfigHelp}}},
      {"slowlog",
       -2,
       kCmdAdmin | kCmdLoading | kCmdStale,
       nullptr,
       0,
       0,
       0,
       "Manages the slow log: commands that ran longer than slowlog-log-slower-than.",
       "server",
       {{"get", -2, CmdSlowlogGet},
        {"len", 2, CmdSlowlogLen},
        {"reset", 2, CmdSlowlogReset},
        {"help", 2, CmdSlowlogHelp}}},
      {"latency",
       -2,
       kCmdAdmin | kCmdLoading | kCmdStale,
       nullptr,
       0,
       0,
       0,
       "Latency events (latency-monitor-threshold) and per-command latency histograms.",
       "server",
       {{"latest", 2, CmdLatencyLatest},
        {"history", 3, CmdLatencyHistory},
        {"reset", -2, CmdLatencyReset},
        {"histogram", -2, CmdLatencyHistogram},
        {"help", 2, CmdLatencyHelp}}},
      {"info", -1, kCmdLoading | kCmdStale, CmdInfo, 0, 0, 0,
       "Returns information and statistics about the server.", "server"},
      {"time", 1, kCmdFast, CmdTime, 0, 0, 0, "Returns the server time.", "server"},
      {"dbsize", 1, kCmdReadonly | kCmdFast, CmdDbsize, 0, 0, 0,
       "Returns the number of cached WHOIS records.", "server"},
      {"get", 2, kCmdReadonly | kCmdFast, CmdGet, 1, 1, 1,
       "Returns the WHOIS record of a domain as JSON (cached, or resolved live).", "string"},
      {"mget", -2, kCmdReadonly | kCmdFast, CmdMget, 1, -1, 1,
       "Returns the WHOIS records of several domains.", "string"},
      {"exists", -2, kCmdReadonly | kCmdFast, CmdExists, 1, -1, 1,
       "Counts how many of the domains have a cached record.", "generic"},
      {"ttl", 2, kCmdReadonly | kCmdFast, CmdTtl, 1, 1, 1,
       "Seconds until a cached record goes stale.", "generic"},
      {"pttl", 2, kCmdReadonly | kCmdFast, CmdPttl, 1, 1, 1,
       "Milliseconds until a cached record goes stale.", "generic"},
      {"del", -2, kCmdWrite, CmdDel, 1, -1, 1, "Evicts cached records.", "generic"},
      {"scan", -2, kCmdReadonly, CmdScan, 0, 0, 0, "Iterates over the cached domains.", "generic"},
      {"set", -3, kCmdWrite, CmdSet, 1, 1, 1, "Imports a WHOIS record given as JSON.", "string"},
      {"flushdb", -1, kCmdWrite, CmdFlushdb, 0, 0, 0,
       "Removes every cached record (needs flush-enabled yes).", "server"},
      {"flushall", -1, kCmdWrite, CmdFlushdb, 0, 0, 0,
       "Removes every cached record (needs flush-enabled yes).", "server"},
      {"whois.lookup", 2, kCmdWrite, CmdWhoisLookup, 1, 1, 1,
       "Resolves a domain afresh, bypassing the cache, and returns its record.", "whois"},
      {"whois.raw", 2, kCmdReadonly, CmdWhoisRaw, 1, 1, 1,
       "Returns the raw upstream replies a cached record was built from.", "whois"},
      {"whois.history", -2, kCmdReadonly, CmdWhoisHistory, 1, 1, 1,
       "Returns earlier versions of a domain's record, newest first.", "whois"},
      {"whois.cached", -2, kCmdReadonly, CmdWhoisCached, 1, -1, 1,
       "Returns stored records as they are, without lookups (for export).", "whois"},
      {"whois.prefetch", -2, kCmdWrite, CmdWhoisPrefetch, 1, -1, 1,
       "Queues background lookups of names that are unknown or stale.", "whois"},
      {"whois.queue", 1, kCmdReadonly, CmdWhoisQueue, 0, 0, 0,
       "Shows the background lookup queue: counts and per-host drain estimates.", "whois"},
      {"whois.fleet", 1, kCmdReadonly, CmdWhoisFleet, 0, 0, 0,
       "Shows the fleet: live proxies (as of the last heartbeat) and the Redis engine's state.",
       "whois"},
      {"whois.server", 2, kCmdReadonly, CmdWhoisServer, 0, 0, 0,
       "Returns the TLD directory entry: WHOIS server, query format, charset.", "whois"},
      {"whois.limits", -1, kCmdAdmin, CmdWhoisLimits, 0, 0, 0,
       "Shows upstream hosts' limits and figures, or changes a host's limits.", "whois"},
  };
  for (const auto& s : specs_) by_name_.emplace(std::string(s.name), &s);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  // Command names are short: lower-case into a stack buffer to avoid an allocation per command
  // (a longer name, such as a renamed command's secret, takes the slow path).
  char buf[32];
  if (name.size() > sizeof buf) {
    auto it = by_name_.find(util::ToLower(name));
    return it == by_name_.end() ? nullptr : it->second;
  }
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  auto it = by_name_.find(std::string(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

bool CommandTable::IsEnabled(const CommandSpec& spec) const {
  for (const auto& [name, s] : by_name_)
    if (s == &spec) return true;
  return false;
}

util::Status CommandTable::Rename(std::string_view old_name, std::string_view new_name) {
  auto it = by_name_.find(util::ToLower(old_name));
  if (it == by_name_.end())
    return util::Status::InvalidArgument("No such command in rename-command");
  const CommandSpec* spec = it->second;
  by_name_.erase(it);
  if (new_name.empty()) return util::Status::OK();
  if (!by_name_.emplace(util::ToLower(new_name), spec).second) {
    by_name_.emplace(util::ToLower(old_name), spec);  // leave the table as it was
    return util::Status::InvalidArgument("Target command name already exists");
  }
  return util::Status::OK();
}

const SubcommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  for (const SubcommandSpec& s : subcommands) {
    if (s.name.size() != sub.size()) continue;
    bool same = true;
    for (size_t i = 0; i < sub.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(sub[i])) == s.name[i];
    if (same) return &s;
  }
  return nullptr;
}

void WriteHelp(resp::ReplyWriter& w, std::initializer_list<const char*> lines) {
  w.ArrayHeader(lines.size());
  for (const char* line : lines) w.Simple(line);
}

std::string WrongArityError(std::string_view command) {
  return "ERR wrong number of arguments for '" + util::ToLower(command) + "' command";
}

std::string UnknownCommandError(std::string_view name, std::span<const std::string_view> args) {
  std::string list;
  for (size_t i = 0; i < args.size() && list.size() < 128; ++i) {
    size_t room = 128 - list.size();
    list += "'" + std::string(args[i].substr(0, room)) + "' ";
  }
  return OneLine("ERR unknown command '" + std::string(name.substr(0, 128)) +
                 "', with args beginning with: " + list);
}

std::string UnknownSubcommandError(std::string_view sub, std::string_view command) {
  std::string upper(command);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return OneLine("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " + upper +
                 " HELP.");
}

}  // namespace server
