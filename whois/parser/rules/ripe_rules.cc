// RIPE-style replies: "key: value" objects separated by blank lines, contacts in objects of their
// own that the domain object names by handle (AFNIC .fr/.re/.pm/.tf/.wf/.yt, and the many ccTLDs
// running RIPE-derived software). Dates are day-first ("27/07/2000").
#include <array>

#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

using F = Field;
using R = Role;

constexpr std::array<KeyAlias, 11> kRipe = {{
    {"registrant", F::kContactHandle, R::kRegistrant},
    {"holder c", F::kContactHandle, R::kRegistrant},
    {"admin c", F::kContactHandle, R::kAdmin},
    {"tech c", F::kContactHandle, R::kTech},
    {"nic hdl", F::kObjectHandle},
    {"contact", F::kContactName},
    {"last update", F::kUpdated},
    {"registered", F::kIgnore},
    {"org", F::kIgnore},
    {"country", F::kIgnore},
    {"organization", F::kIgnore},
}};

}  // namespace

const RuleSet& RipeRules() {
  static constexpr RuleSet kRules{"ripe", DateOrder::kDayFirst, kRipe, true};
  return kRules;
}

}  // namespace whois::rules
