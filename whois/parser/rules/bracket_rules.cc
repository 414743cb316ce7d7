// Bracketed keys: "[Domain Name]   GOOGLE.JP", "a. [Domain Name]   GOOGLE.CO.JP" (JPRS) and
// "[Registrant]" style section headers. JPRS writes dates year first ("2001/03/22").
#include <array>

#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

using F = Field;
using R = Role;

constexpr std::array<KeyAlias, 14> kBracket = {{
    {"registrant", F::kContactName, R::kRegistrant},
    {"organization", F::kContactOrganization, R::kRegistrant},
    {"name", F::kContactName, R::kRegistrant},
    {"created on", F::kCreated},
    {"registered date", F::kCreated},
    {"connected date", F::kIgnore},
    {"last update", F::kUpdated},
    {"last updated", F::kUpdated},
    {"expires on", F::kExpires},
    {"state", F::kStatus},
    {"status", F::kStatus},
    {"name server", F::kNameserver},
    {"administrative contact", F::kIgnore},
    {"technical contact", F::kIgnore},
}};

}  // namespace

const RuleSet& BracketRules() {
  static constexpr RuleSet kRules{"bracket", DateOrder::kDayFirst, kBracket};
  return kRules;
}

}  // namespace whois::rules
