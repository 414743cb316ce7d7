// Which rule set reads which server's replies. A host's rule set is a fact of its profile
// (whois/hosts/host_profile.h); a host whose profile fixes none gets one chosen from the shape of
// its text. A known server is listed there so that a reply that happens to look different (an
// error page, a short not-found) is still read with its registry's date order and keys.
#include <algorithm>
#include <iterator>

#include "whois/hosts/host_profile.h"
#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

// What the lines of a reply from an unlisted host start with, in one pass (most registrars are
// unlisted, so this runs on most replies).
struct LineShapes {
  bool ripe = false;     // "nic-hdl:" or "holder-c:"
  bool bracket = false;  // "[Domain Name]" or "a. ["
  bool freenom = false;  // "   Record maintained by: ..." (Freenom's registries, any host name)
};

LineShapes ShapesOf(std::string_view text) {
  LineShapes shapes;
  size_t pos = 0;
  const size_t limit = std::min<size_t>(text.size(), 64 * 1024);
  while (pos < limit && !shapes.ripe) {
    std::string_view line = text.substr(pos, 32);
    // Freenom indents it by three blanks; .nl writes the same words at the margin.
    if (line.starts_with("   Record maintained by:")) shapes.freenom = true;
    switch (line.empty() ? '\0' : line[0]) {
      case 'n':
        shapes.ripe = line.starts_with("nic-hdl:");
        break;
      case 'h':
        shapes.ripe = line.starts_with("holder-c:");
        break;
      case '[':
        shapes.bracket = shapes.bracket || line.starts_with("[Domain Name]");
        break;
      case 'a':
        shapes.bracket = shapes.bracket || line.starts_with("a. [");
        break;
      default:
        break;
    }
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return shapes;
}

}  // namespace

const RuleSet* RuleSetById(RuleSetId id) {
  // The rule set of each RuleSetId, in the enum's order; kByText fixes none.
  using Rules = const RuleSet& (*)();
  static constexpr Rules kById[] = {nullptr,      IcannRules,   RipeRules,  IndentedRules,
                                    BracketRules, FreenomRules, ColumnRules};
  static_assert(std::size(kById) == static_cast<size_t>(RuleSetId::kColumn) + 1);
  const auto i = static_cast<size_t>(id);
  return i < std::size(kById) && kById[i] != nullptr ? &kById[i]() : nullptr;
}

const RuleSet& RuleSetFor(std::string_view server_host, std::string_view text) {
  if (const RuleSet* fixed = RuleSetById(HostProfileFor(server_host).rule_set)) return *fixed;
  const LineShapes shapes = ShapesOf(text);
  if (shapes.ripe) return RipeRules();
  if (shapes.bracket) return BracketRules();
  if (shapes.freenom) return FreenomRules();
  return IcannRules();
}

}  // namespace whois::rules
