// The configuration file every install starts from (packaging/whois-proxy.conf): every
// directive with its default and a one-line comment, as redis.conf lays it out. Generated from
// the directive table (`whois-proxy --print-config`), so it cannot drift from what the server
// accepts; a test checks the committed file equals the generated one and parses to the defaults.
#pragma once

#include <string>
#include <string_view>

namespace server {

// The documentation of one directive: a one-line comment and, for a repeatable directive (no
// default value), the words it takes.
struct DirectiveDoc {
  std::string_view name;
  std::string_view help;
  std::string_view usage;  // "TLD HOST[:PORT] [FORMAT]" for a repeatable directive, else empty
  // For a directive whose words live in their own table (lookup-order), the comment built
  // from that table, so the file cannot list a word the server does not take; `help` is
  // then empty. Null for the others.
  std::string (*help_from_table)() = nullptr;

  // `help`, or what help_from_table builds.
  std::string Help() const { return help_from_table ? help_from_table() : std::string(help); }
};

// nullptr for a directive without documentation (a test keeps there being none).
const DirectiveDoc* FindDirectiveDoc(std::string_view name);

// The whole file: a header, then per directive its comment and `name default` (or, for a
// repeatable one, `# name usage`).
std::string ConfigFileText();

}  // namespace server
