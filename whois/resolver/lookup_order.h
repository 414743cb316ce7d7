// `lookup-order`: which lookup sources a lookup asks, in order. One row per name, as a command
// is one row of its table; the config's validation and the lookup service that builds the
// resolver both read this table, so a new order (or a new source protocol) is one row. Pure.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace whois {

class LookupSource;

struct LookupOrderRow {
  std::string_view name;  // the directive's word, lower case
  // Source protocols (kProtocolRdap, kProtocolWhois) in the order they are asked; a source
  // that does not serve a domain is skipped, the next one is asked only when the one before
  // failed, and a domain none of them serves goes to WHOIS (see Resolver).
  std::array<std::string_view, 2> sources;
  size_t source_count = 0;

  std::span<const std::string_view> protocols() const { return {sources.data(), source_count}; }
  // Whether the order ever asks a source of `protocol` first or after a failure.
  bool Uses(std::string_view protocol) const;
};

// Every row, the default ("rdap-first") first.
std::span<const LookupOrderRow> LookupOrders();
// The row named `name` (lower case), or null.
const LookupOrderRow* FindLookupOrder(std::string_view name);
// "rdap-first, whois-first, rdap-only, whois-only": the names, for error messages; with
// `last_separator` " or ", "... rdap-only or whois-only" for prose (the configuration file).
std::string LookupOrderNames(std::string_view last_separator = ", ");

// The sources `row` names, in its order, each picked from `available` by its protocol(); a
// protocol no source in `available` speaks is left out. For Resolver's constructor.
std::vector<LookupSource*> SourcesInOrder(const LookupOrderRow& row,
                                          std::span<LookupSource* const> available);

}  // namespace whois
