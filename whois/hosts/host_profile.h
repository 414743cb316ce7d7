// Everything the proxy knows about one upstream WHOIS host, in one row: the query line it
// expects, the charset it answers in, the rule set that reads its replies and the limits it
// publishes (with where they come from). A new registry is one row in host_profile.cc; its
// sources are in whois/hosts/README.md.
//
// One matcher finds a host's row: the exact host, else its nearest parent domain that has a row
// (a.whois.nic.uk gets whois.nic.uk's row), case-insensitive, one trailing dot ignored. So a
// sub-host gets every fact of its parent at once, never the query of one and the rules of
// another. A host without a row gets the default profile (plain "%s", utf-8, rule set chosen
// from the reply's text, the default limits).
//
// The TLD -> host directory (whois/directory) names hosts only; what to do with a host is here.
// The rule set is named by an id (the parser maps it to its RuleSet) and the limits by their
// directive text (the limits library parses it), so this library needs neither.
//
// Pure: no I/O, no state; the table is compiled in and constant.
#pragma once

#include <span>
#include <string_view>

namespace whois {

// Which rule set of whois/parser/rules/ reads a host's replies.
enum class RuleSetId {
  kByText,  // none fixed: chosen from the shape of each reply (the default)
  kIcann,
  kRipe,
  kIndented,
  kBracket,
  kFreenom,
  kColumn,
};

// "by-text", "icann", "ripe", "indented", "bracket", "freenom", "columns": the parser's
// RuleSet::name of each fixed rule set.
std::string_view RuleSetIdName(RuleSetId id);

struct HostProfile {
  std::string_view host;                 // lower case, no trailing dot; "" for the default
  std::string_view query_format = "%s";  // "%s" is replaced by the domain (FormatQuery)
  std::string_view charset = "utf-8";    // a name whois::DecodeToUtf8 (charset.h) accepts
  RuleSetId rule_set = RuleSetId::kByText;
  // `upstream-limit` directive words (parsed with limits::ParseLimitSpec, canonical as
  // FormatLimitSpec writes them); empty: the host has no built-in limits and gets the default
  // (or the operator's `upstream-limit default`).
  std::string_view limits;
  std::string_view limits_source;  // where the limits' numbers come from; set when limits is
};

// Every row, in a fixed order (hosts are unique; each row's facts are tested for consistency).
std::span<const HostProfile> HostProfiles();

// The profile of `host` (any case, one trailing dot ignored): the row of the host itself, else
// of its nearest parent domain with a row, else the default profile (host "").
const HostProfile& HostProfileFor(std::string_view host);

}  // namespace whois
