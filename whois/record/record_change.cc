#include "whois/record/record_change.h"

#include <set>
#include <string>

namespace whois {
namespace {

// Lower case, without a trailing dot: the form ToJson writes, whatever the record was built from.
std::set<std::string> NameServerSet(const std::vector<std::string>& servers) {
  std::set<std::string> out;
  for (std::string s : servers) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (!s.empty()) out.insert(std::move(s));
  }
  return out;
}

}  // namespace

bool ChangesWhatCrawlersUse(const WhoisRecord& before, const WhoisRecord& after) {
  return before.status != after.status ||
         before.registrant.organization != after.registrant.organization ||
         before.registrant.country != after.registrant.country ||
         before.registrar.name != after.registrar.name ||
         before.registrar.iana_id != after.registrar.iana_id || before.expires != after.expires ||
         NameServerSet(before.nameservers) != NameServerSet(after.nameservers);
}

}  // namespace whois
