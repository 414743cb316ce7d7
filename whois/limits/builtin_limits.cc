#include "whois/limits/builtin_limits.h"

#include <sstream>
#include <string>
#include <vector>

#include "whois/hosts/host_profile.h"

namespace whois::limits {
namespace {

std::optional<LimitSpec> Parse(std::string_view directive) {
  std::vector<std::string> words;
  std::istringstream in{std::string(directive)};
  for (std::string w; in >> w;) words.push_back(w);
  auto parsed = ParseLimitSpec(words);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

}  // namespace

std::optional<LimitSpec> BuiltinLimitFor(std::string_view host) {
  const std::string_view limits = HostProfileFor(host).limits;
  if (limits.empty()) return std::nullopt;
  return Parse(limits);
}

LimitSpec DefaultLimitSpec() { return *Parse(kDefaultLimitDirective); }

}  // namespace whois::limits
