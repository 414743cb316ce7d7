// Server-level commands: COMMAND, CONFIG, INFO, TIME.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "server/command_args.h"
#include "server/command_table.h"
#include "server/info.h"
#include "server/server.h"
#include "storage/glob.h"
#include "util/ascii.h"

namespace server {
namespace {

void WriteFlags(resp::ReplyWriter& w, const CommandSpec& spec) {
  std::vector<std::string_view> flags;
  if (spec.flags & kCmdWrite) flags.push_back("write");
  if (spec.flags & kCmdReadonly) flags.push_back("readonly");
  if (spec.flags & kCmdAdmin) flags.push_back("admin");
  if (spec.flags & kCmdNoAuth) flags.push_back("no_auth");
  if (spec.flags & kCmdFast) flags.push_back("fast");
  if (spec.flags & kCmdLoading) flags.push_back("loading");
  if (spec.flags & kCmdStale) flags.push_back("stale");
  w.SetHeader(flags.size());
  for (auto f : flags) w.Simple(f);
}

// COMMAND INFO's ten-element reply, as Redis 7 shapes it.
void WriteCommandInfo(resp::ReplyWriter& w, const CommandSpec& spec) {
  w.ArrayHeader(10);
  w.Bulk(spec.name);
  w.Integer(spec.arity);
  WriteFlags(w, spec);
  w.Integer(spec.first_key);
  w.Integer(spec.last_key);
  w.Integer(spec.key_step);
  w.SetHeader(0);    // ACL categories
  w.SetHeader(0);    // tips
  w.ArrayHeader(0);  // key specs
  w.ArrayHeader(spec.subcommands.size());
  for (const SubcommandSpec& sub : spec.subcommands) {
    w.ArrayHeader(10);
    w.Bulk(std::string(spec.name) + "|" + std::string(sub.name));
    w.Integer(sub.arity);
    w.SetHeader(0);
    w.Integer(0);
    w.Integer(0);
    w.Integer(0);
    w.SetHeader(0);
    w.SetHeader(0);
    w.ArrayHeader(0);
    w.ArrayHeader(0);
  }
}

void WriteCommandDocs(resp::ReplyWriter& w, const CommandSpec& spec) {
  w.Bulk(spec.name);
  w.MapHeader(4);
  w.Bulk("summary");
  w.Bulk(spec.summary);
  w.Bulk("since");
  w.Bulk("1.0.0");
  w.Bulk("group");
  w.Bulk(spec.group);
  w.Bulk("complexity");
  w.Bulk("O(1)");
}

// The commands a client may call: rename-command's disabled ones are gone, as in Redis.
std::vector<const CommandSpec*> EnabledCommands(const CommandTable& table) {
  std::vector<const CommandSpec*> enabled;
  for (const auto& spec : table.all())
    if (table.IsEnabled(spec)) enabled.push_back(&spec);
  return enabled;
}

}  // namespace

// COMMAND alone: every enabled command's info.
void CmdCommand(CommandContext& ctx) {
  auto enabled = EnabledCommands(ctx.server.commands());
  ctx.reply.ArrayHeader(enabled.size());
  for (const CommandSpec* spec : enabled) WriteCommandInfo(ctx.reply, *spec);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(EnabledCommands(ctx.server.commands()).size()));
}

void CmdCommandList(CommandContext& ctx) {
  auto enabled = EnabledCommands(ctx.server.commands());
  ctx.reply.ArrayHeader(enabled.size());
  for (const CommandSpec* spec : enabled) ctx.reply.Bulk(spec->name);
}

void CmdCommandInfo(CommandContext& ctx) {
  auto& w = ctx.reply;
  if (ctx.args.size() == 2) return CmdCommand(ctx);
  w.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* spec = ctx.server.commands().Find(ctx.args[i]);
    if (spec)
      WriteCommandInfo(w, *spec);
    else
      w.NullArray();
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    specs = EnabledCommands(ctx.server.commands());
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i)
      if (const CommandSpec* spec = ctx.server.commands().Find(ctx.args[i])) specs.push_back(spec);
  }
  ctx.reply.MapHeader(specs.size());
  for (const CommandSpec* spec : specs) WriteCommandDocs(ctx.reply, *spec);
}

void CmdConfigGet(CommandContext& ctx) {
  auto& w = ctx.reply;
  std::vector<std::pair<std::string, std::string>> found;
  auto matches = [&](std::string_view name) {
    for (size_t i = 2; i < ctx.args.size(); ++i)
      if (storage::GlobMatch(util::ToLower(ctx.args[i]), name)) return true;
    return false;
  };
  ForEachDirective(ctx.server.config(), matches, [&](std::string_view name, std::string value) {
    found.emplace_back(name, std::move(value));
  });
  // Redis persistence settings that tools such as redis-benchmark ask about: this server
  // keeps its records in LevelDB, so it has no RDB snapshots or AOF to report.
  for (auto [name, value] :
       {std::pair{"save", ""}, std::pair{"appendonly", "no"}, std::pair{"databases", "1"}})
    if (matches(name)) found.emplace_back(name, value);
  w.MapHeader(found.size());
  for (const auto& [name, value] : found) {
    w.Bulk(name);
    w.Bulk(value);
  }
}

void CmdConfigSet(CommandContext& ctx) {
  auto& w = ctx.reply;
  if (ctx.args.size() % 2 != 0) return w.Error(WrongArityError("config|set"));
  // As Redis 7: every name must be known, and none given twice, before any value is read;
  // values go to a copy, so that a failure in any pair (or a contradiction between the new
  // values, checked last) changes nothing.
  auto failed = [&](std::string_view arg, const std::string& why) {
    w.Error("ERR CONFIG SET failed (possibly related to argument '" + std::string(arg) + "') - " +
            why);
  };
  for (size_t i = 2; i < ctx.args.size(); i += 2)
    if (!IsDirective(ctx.args[i]))
      return w.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                     std::string(ctx.args[i]) + "'");
  for (size_t i = 2; i < ctx.args.size(); i += 2)
    for (size_t j = 2; j < i; j += 2)
      if (EqualsIgnoreCase(ctx.args[i], ctx.args[j]))
        return failed(ctx.args[i], "duplicate parameter");
  Config next = ctx.server.config();
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    util::Status st = ApplyDirective(&next, ctx.args[i], {std::string(ctx.args[i + 1])}, true);
    if (!st.ok()) return failed(ctx.args[i], st.message());
  }
  if (auto conflict = CheckConsistency(next)) {
    // Blame the first directive of the conflict that this command set.
    std::string_view blamed = conflict->directives.front();
    for (std::string_view d : conflict->directives) {
      bool given = false;
      for (size_t i = 2; i < ctx.args.size() && !given; i += 2)
        given = EqualsIgnoreCase(ctx.args[i], d);
      if (given) {
        blamed = d;
        break;
      }
    }
    return failed(blamed, conflict->message);
  }
  ctx.server.config() = std::move(next);
  ctx.server.OnConfigChanged();
  w.Simple("OK");
}

void CmdConfigResetstat(CommandContext& ctx) {
  ctx.server.stats() = ServerStats{};
  ctx.server.latency().ResetHistograms();
  ctx.reply.Simple("OK");
}

void CmdConfigHelp(CommandContext& ctx) {
  WriteHelp(
      ctx.reply,
      {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET <pattern>",
       "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command.", "HELP", "    Print this help."});
}

void CmdInfo(CommandContext& ctx) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < ctx.args.size(); ++i) sections.push_back(util::ToLower(ctx.args[i]));
  ctx.reply.Verbatim("txt", BuildInfo(ctx.server, sections));
}

void CmdTime(CommandContext& ctx) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(tv.tv_sec));
  ctx.reply.Bulk(std::to_string(tv.tv_usec));
}

}  // namespace server
