#include "whois/limits/budget_key.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace whois::limits {
namespace {

struct Parsed {
  int family = AF_INET;
  std::array<uint8_t, 16> bytes{};
};

std::optional<Parsed> Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Parsed p;
  if (inet_pton(AF_INET, s.c_str(), p.bytes.data()) == 1) return p;
  p.family = AF_INET6;
  if (inet_pton(AF_INET6, s.c_str(), p.bytes.data()) == 1) return p;
  return std::nullopt;
}

std::string Format(const Parsed& p) {
  char out[INET6_ADDRSTRLEN] = {};
  inet_ntop(p.family, p.bytes.data(), out, sizeof(out));
  return out;
}

}  // namespace

std::optional<std::string> CanonicalAddress(std::string_view address) {
  std::optional<Parsed> p = Parse(address);
  if (!p) return std::nullopt;
  return Format(*p);
}

std::string BudgetKey(std::string_view source, const LimitScope& scope) {
  if (source.empty() || scope.kind == ScopeKind::kAll) return std::string(kWholeProxyBudget);
  std::optional<Parsed> p = Parse(source);
  if (!p) return std::string(source);  // not a literal: its own budget, never shared
  if (scope.kind == ScopeKind::kAddress) return Format(*p);
  const int prefix = p->family == AF_INET ? scope.v4_prefix : scope.v6_prefix;
  const int bytes = p->family == AF_INET ? 4 : 16;
  for (int i = 0; i < bytes; ++i) {
    const int keep = std::max(0, std::min(8, prefix - 8 * i));  // leading bits kept in byte i
    p->bytes[static_cast<size_t>(i)] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xFF << (8 - keep));
  }
  return Format(*p) + "/" + std::to_string(prefix);
}

std::string BudgetLabel(std::string_view key) {
  return key == kWholeProxyBudget ? std::string("all") : std::string(key);
}

}  // namespace whois::limits
