// Column layout: "Key<blanks>Value" with no colon, keys joined by hyphens ("Domain-name",
// "Admin-email", "Valid-date"), as SK-NIC (.sk) writes them. Dates are ISO ("2011-07-23").
#include <array>

#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

constexpr std::array<KeyAlias, 4> kColumns = {{
    {"dns name", Field::kNameserver},
    {"valid date", Field::kExpires},
    {"last update", Field::kUpdated},
    {"tech org id", Field::kIgnore},
}};

}  // namespace

const RuleSet& ColumnRules() {
  static constexpr RuleSet kRules{"columns", DateOrder::kDayFirst, kColumns, false, true};
  return kRules;
}

}  // namespace whois::rules
