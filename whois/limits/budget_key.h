// Which budget of a host a source address spends from: registries count per client address,
// per network (CentralNic: per IPv4 /24 or IPv6 /48), or per client whatever its addresses.
// Pure (address arithmetic on literals, no sockets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "whois/limits/limit_spec.h"

namespace whois::limits {

// The budget key of the proxy as a whole: `scope all`, and the single budget of a proxy without
// `upstream-source-address` (the kernel picks its address, so every query has the same one as
// far as this proxy can tell). Its daily quota is stored under "q:<host>" as before sources.
inline constexpr std::string_view kWholeProxyBudget = "";

// The canonical text of an IPv4 or IPv6 literal ("127.0.1.1", "2001:db8::1"), or nullopt if
// `address` is neither (no brackets, port or zone).
std::optional<std::string> CanonicalAddress(std::string_view address);

// The key of the budget that `source` (a canonical literal, or empty for the kernel's choice)
// spends from under `scope`: the address itself for kAddress, its network for kNetwork
// ("127.0.1.0/24", "2001:db8:1::/48"), kWholeProxyBudget for kAll or an empty source.
std::string BudgetKey(std::string_view source, const LimitScope& scope);

// How a key is shown to an operator: "all" for kWholeProxyBudget, else the key.
std::string BudgetLabel(std::string_view key);

}  // namespace whois::limits
