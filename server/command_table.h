// The command table: one row per command (name, arity, flags, handler), as in Redis's
// server.c. A new command is one row here and one small handler.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "resp/reply_writer.h"
#include "server/connection.h"
#include "util/status.h"

namespace server {

class Server;

// What a handler gets: the server, the client, its arguments, and a writer for an immediate
// reply. A handler that answers later calls Defer() and later Server::CompleteReply().
struct CommandContext {
  Server& server;
  Connection& conn;
  std::span<const std::string_view> args;
  resp::ReplyWriter& reply;
  std::string* out;  // where `reply` writes (HELLO answers in the protocol it switches to)

  ReplyTicket Defer();
};

using CommandHandler = void (*)(CommandContext&);

enum CommandFlag : uint32_t {
  kCmdNoAuth = 1u << 0,  // allowed before AUTH (AUTH, HELLO, QUIT)
  kCmdWrite = 1u << 1,
  kCmdReadonly = 1u << 2,
  kCmdFast = 1u << 3,
  kCmdAdmin = 1u << 4,
  kCmdLoading = 1u << 5,
  kCmdStale = 1u << 6,
};

// A subcommand of a container command (CLIENT KILL): Redis checks its arity before the handler
// runs and names it "client|kill" in the error.
struct SubcommandSpec {
  std::string_view name;   // lower case
  int arity;               // counts the container's name and the subcommand's
  CommandHandler handler;  // runs once the arity has been checked
};

struct CommandSpec {
  std::string_view name;  // lower case
  int arity;              // Redis convention: N exact, -N at least N (name included)
  uint32_t flags;
  // Runs the command; for a container, the call without a subcommand (COMMAND alone), nullptr
  // when every call names one (arity -2: CLIENT, CONFIG, SLOWLOG, LATENCY).
  CommandHandler handler;
  int first_key = 0, last_key = 0, key_step = 0;
  std::string_view summary;
  std::string_view group;  // Redis's doc group: "connection", "server", "string", "generic"...
  std::vector<SubcommandSpec> subcommands;  // for the arity check and COMMAND's list

  // Case-insensitive; nullptr if `name` is not one of this command's subcommands.
  const SubcommandSpec* FindSubcommand(std::string_view name) const;
};

class CommandTable {
 public:
  CommandTable();
  CommandTable(const CommandTable&) = delete;  // by_name_ points into specs_
  CommandTable& operator=(const CommandTable&) = delete;

  // Case-insensitive lookup by the name clients use; nullptr for an unknown (or disabled)
  // command.
  const CommandSpec* Find(std::string_view name) const;
  // Every command, disabled or not; a spec keeps its own name whatever it was renamed to (as in
  // Redis: error messages and COMMAND's lists say "config" after `rename-command CONFIG x`).
  const std::vector<CommandSpec>& all() const { return specs_; }
  // False once `rename-command NAME ""` disabled it.
  bool IsEnabled(const CommandSpec& spec) const;

  // `rename-command old new`, as Redis's: `old` is looked up as clients would call it (so a
  // command already renamed is no longer found under its first name), an empty `new` disables
  // the command. Returns OK, or InvalidArgument with Redis's error text.
  util::Status Rename(std::string_view old_name, std::string_view new_name);

 private:
  std::vector<CommandSpec> specs_;
  std::unordered_map<std::string, const CommandSpec*> by_name_;
};

// Handlers, grouped by file.
void CmdPing(CommandContext&);
void CmdEcho(CommandContext&);
void CmdQuit(CommandContext&);
void CmdHello(CommandContext&);
void CmdAuth(CommandContext&);
void CmdSelect(CommandContext&);
void CmdClientId(CommandContext&);
void CmdClientGetname(CommandContext&);
void CmdClientSetname(CommandContext&);
void CmdClientSetinfo(CommandContext&);
void CmdClientList(CommandContext&);
void CmdClientInfo(CommandContext&);
void CmdClientKill(CommandContext&);
void CmdClientAccepted(CommandContext&);
void CmdClientHelp(CommandContext&);
void CmdCommand(CommandContext&);
void CmdCommandCount(CommandContext&);
void CmdCommandDocs(CommandContext&);
void CmdCommandInfo(CommandContext&);
void CmdCommandList(CommandContext&);
void CmdConfigGet(CommandContext&);
void CmdConfigSet(CommandContext&);
void CmdConfigResetstat(CommandContext&);
void CmdConfigHelp(CommandContext&);
void CmdInfo(CommandContext&);
void CmdSlowlogGet(CommandContext&);
void CmdSlowlogLen(CommandContext&);
void CmdSlowlogReset(CommandContext&);
void CmdSlowlogHelp(CommandContext&);
void CmdLatencyLatest(CommandContext&);
void CmdLatencyHistory(CommandContext&);
void CmdLatencyReset(CommandContext&);
void CmdLatencyHistogram(CommandContext&);
void CmdLatencyHelp(CommandContext&);
void CmdDbsize(CommandContext&);
void CmdGet(CommandContext&);
void CmdMget(CommandContext&);
void CmdExists(CommandContext&);
void CmdTtl(CommandContext&);
void CmdPttl(CommandContext&);
void CmdDel(CommandContext&);
void CmdScan(CommandContext&);
void CmdSet(CommandContext&);
void CmdFlushdb(CommandContext&);
void CmdTime(CommandContext&);
void CmdWhoisLookup(CommandContext&);
void CmdWhoisRaw(CommandContext&);
void CmdWhoisServer(CommandContext&);
void CmdWhoisLimits(CommandContext&);
void CmdWhoisHistory(CommandContext&);
void CmdWhoisCached(CommandContext&);
void CmdWhoisPrefetch(CommandContext&);
void CmdWhoisQueue(CommandContext&);
void CmdWhoisFleet(CommandContext&);

// A container's HELP reply: each line a simple string, as Redis's addReplyHelp.
void WriteHelp(resp::ReplyWriter& w, std::initializer_list<const char*> lines);

// Redis's exact error texts (clients match on them).
std::string WrongArityError(std::string_view command);
std::string UnknownCommandError(std::string_view name, std::span<const std::string_view> args);
std::string UnknownSubcommandError(std::string_view sub, std::string_view command);

}  // namespace server
