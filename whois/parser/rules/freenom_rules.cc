// Freenom's registries (.tk, .cf, .ga, .gq, .ml): indented "Key: value" blocks like the ICANN
// family, but dates written month first ("Domain registered: 12/18/2001").
#include <array>

#include "whois/parser/rules/rule_set.h"

namespace whois::rules {
namespace {

constexpr std::array<KeyAlias, 3> kFreenom = {{
    {"domain registered", Field::kCreated},
    {"record will expire on", Field::kExpires},
    {"record maintained by", Field::kRegistrarName},
}};

}  // namespace

const RuleSet& FreenomRules() {
  static constexpr RuleSet kRules{"freenom", DateOrder::kMonthFirst, kFreenom};
  return kRules;
}

}  // namespace whois::rules
