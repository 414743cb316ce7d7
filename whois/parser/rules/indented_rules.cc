// Indented sections: a header line ("Registrant:", "Name servers:", "Registrant") and its values
// on the following, more-indented lines. Nominet (.uk), DNS Belgium (.be), Registro .it, and
// others. Dates are day-first ("13-Feb-1999", "14/02/1999").
#include <array>

#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

using F = Field;
using R = Role;

constexpr std::array<KeyAlias, 10> kIndented = {{
    {"registrant", F::kContactName, R::kRegistrant},
    {"registrant s address", F::kContactStreet, R::kRegistrant},
    {"registration status", F::kStatus},
    {"flags", F::kStatus},
    {"relevant dates", F::kIgnore},
    {"keys", F::kIgnore},
    {"data validation", F::kIgnore},
    {"registrant type", F::kIgnore},
    {"expiry date", F::kExpires},
    {"renewal date", F::kExpires},
}};

}  // namespace

const RuleSet& IndentedRules() {
  static constexpr RuleSet kRules{"indented", DateOrder::kDayFirst, kIndented};
  return kRules;
}

}  // namespace whois::rules
