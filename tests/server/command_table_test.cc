// The command table's rows: every subcommand (CLIENT's, CONFIG's, ...) is a row with its Redis 7
// arity and its handler, found whatever the case of the name.
#include "server/command_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace server {
namespace {

TEST(CommandTable, EveryClientSubcommandIsARowWithItsArityAndHandler) {
  CommandTable table;
  const CommandSpec* client = table.Find("CLIENT");
  ASSERT_NE(client, nullptr);
  const std::map<std::string, int> redis_arity = {
      {"id", 2},       {"getname", 2},  {"setname", 3}, {"setinfo", 4},
      {"list", -2},    {"info", 2},     {"kill", -3},   {"maint_notifications", -3},
      {"no-evict", 3}, {"no-touch", 3}, {"help", 2}};
  EXPECT_EQ(client->subcommands.size(), redis_arity.size());
  for (const auto& [name, arity] : redis_arity) {
    const SubcommandSpec* sub = client->FindSubcommand(name);
    ASSERT_NE(sub, nullptr) << name;
    EXPECT_EQ(sub->arity, arity) << name;
    EXPECT_NE(sub->handler, nullptr) << name << " is dispatched by its row";
  }
  EXPECT_EQ(client->FindSubcommand("GetName"), client->FindSubcommand("getname"));
  EXPECT_EQ(client->FindSubcommand("getnames"), nullptr);
}

// Every container runs its subcommands by their rows; a container's own handler serves only the
// call without a subcommand, so it may be missing only where the arity demands one.
TEST(CommandTable, EverySubcommandRowHasItsHandler) {
  CommandTable table;
  size_t containers = 0;
  for (const CommandSpec& spec : table.all()) {
    if (spec.subcommands.empty()) {
      EXPECT_NE(spec.handler, nullptr) << spec.name;
      continue;
    }
    ++containers;
    for (const SubcommandSpec& sub : spec.subcommands)
      EXPECT_NE(sub.handler, nullptr) << spec.name << "|" << sub.name;
    if (spec.handler == nullptr) {
      EXPECT_LE(spec.arity, -2) << spec.name;
    }
  }
  EXPECT_EQ(containers, 5u);  // CLIENT, COMMAND, CONFIG, SLOWLOG, LATENCY
}

// rename-command's errors are Redis's texts, as values.
TEST(CommandTable, RenameRefusesWithRedisTexts) {
  CommandTable table;
  util::Status missing = table.Rename("NOSUCHCOMMAND", "x");
  EXPECT_TRUE(missing.IsInvalidArgument());
  EXPECT_EQ(missing.message(), "No such command in rename-command");
  util::Status taken = table.Rename("GET", "set");
  EXPECT_EQ(taken.message(), "Target command name already exists");
  EXPECT_NE(table.Find("GET"), nullptr);  // left as it was
  EXPECT_TRUE(table.Rename("GET", "fetch").ok());
  EXPECT_EQ(table.Find("GET"), nullptr);
  EXPECT_NE(table.Find("FETCH"), nullptr);
}

TEST(CommandTable, ErrorsNameTheSubcommandAsRedisDoes) {
  EXPECT_EQ(WrongArityError("client|getname"),
            "ERR wrong number of arguments for 'client|getname' command");
  EXPECT_EQ(UnknownSubcommandError("bogus", "client"),
            "ERR unknown subcommand 'bogus'. Try CLIENT HELP.");
}

}  // namespace
}  // namespace server
