#include "whois/limits/builtin_limits.h"

#include <sstream>
#include <string>
#include <vector>

namespace whois::limits {
namespace {

// Numbers are the published ones where there are any, rounded down; where a registry only says
// that it limits (or bans) without numbers, we pick values well below what a person at a
// terminal would do. Values marked "our choice" are not published figures.
constexpr std::string_view kCentralNic =
    "CentralNic WHOIS policy (centralnic.com, 'WHOIS service'): 1800 queries per 15 minutes per "
    "IPv4 /24 or IPv6 /48 network; applies to the TLD servers CentralNic runs as back-end (IANA "
    "root database lists CentralNic as technical contact)";
// CentralNic counts per network, so more addresses in one /24 (or /48) add nothing.
constexpr std::string_view kCentralNicSpec = "concurrency 2 rate 1800/15m scope network /24 /48";

constexpr BuiltinLimit kTable[] = {
    {"whois.nic.uk", "concurrency 2 rate 5/s daily 1000",
     "Nominet WHOIS fair use (nominet.uk/whois): 5 queries/s and 1,000 per 24 h for an "
     "unregistered address; concurrency 2 is our choice"},
    {"whois.eu", "concurrency 1 rate 15/m",
     "EURid WHOIS terms (eurid.eu): 15 queries per minute per address; concurrency is our "
     "choice"},
    {"whois.domain-registry.nl", "concurrency 1 rate 1/s daily 1000",
     "SIDN WHOIS terms (sidn.nl): 1 query per second; SIDN also enforces a daily maximum "
     "without publishing it, 1,000 is our conservative choice"},
    {"whois.dns.be", "concurrency 1 rate 100/h",
     "DNS Belgium WHOIS terms (dnsbelgium.be): 100 queries per hour per address"},
    {"whois.radb.net", "concurrency 4 rate 5/s",
     "RADb (Merit) usage note: at most 4 simultaneous connections; rate is our choice"},
    {"whois.centralnic.com", kCentralNicSpec, kCentralNic},
    {"whois.nic.xyz", kCentralNicSpec, kCentralNic},
    {"whois.nic.online", kCentralNicSpec, kCentralNic},
    {"whois.nic.site", kCentralNicSpec, kCentralNic},
    {"whois.nic.website", kCentralNicSpec, kCentralNic},
    {"whois.nic.space", kCentralNicSpec, kCentralNic},
    {"whois.nic.tech", kCentralNicSpec, kCentralNic},
    {"whois.nic.store", kCentralNicSpec, kCentralNic},
    {"whois.nic.fun", kCentralNicSpec, kCentralNic},
    {"whois.nic.host", kCentralNicSpec, kCentralNic},
    {"whois.nic.press", kCentralNicSpec, kCentralNic},
    {"whois.nic.uno", kCentralNicSpec, kCentralNic},
    {"whois.nic.pw", kCentralNicSpec, kCentralNic},
    {"whois.nic.la", kCentralNicSpec, kCentralNic},
    {"whois.nic.icu", kCentralNicSpec, kCentralNic},
    {"whois.nic.bond", kCentralNicSpec, kCentralNic},
    {"whois.nic.cfd", kCentralNicSpec, kCentralNic},
    {"whois.nic.sbs", kCentralNicSpec, kCentralNic},
    {"whois.nic.art", kCentralNicSpec, kCentralNic},
    {"whois.ripe.net", "concurrency 1 rate 1/s daily 1000",
     "RIPE Database acceptable use policy (ripe.net): more than 1,000 personal-data objects "
     "in 24 h blocks the address, and repeat offenders are blocked permanently; we count "
     "every query as one such object"},
    {"whois.denic.de", "concurrency 1 rate 1/s rate 300/h",
     "DENIC WHOIS conditions (denic.de): limits queries per address without publishing "
     "numbers; our conservative choice"},
    {"whois.verisign-grs.com", "concurrency 2 rate 5/s",
     "Verisign .com/.net registry WHOIS: throttles per address without published numbers; "
     "our conservative choice"},
    {"whois.iana.org", "concurrency 1 rate 2/s rate 60/m",
     "IANA WHOIS: no published limit; a shared public service queried for every referral, "
     "so our conservative choice"},
};

std::optional<LimitSpec> Parse(std::string_view directive) {
  std::vector<std::string> words;
  std::istringstream in{std::string(directive)};
  for (std::string w; in >> w;) words.push_back(w);
  auto parsed = ParseLimitSpec(words);
  if (auto* spec = std::get_if<LimitSpec>(&parsed)) return *spec;
  return std::nullopt;
}

}  // namespace

std::span<const BuiltinLimit> BuiltinLimits() { return kTable; }

std::optional<LimitSpec> BuiltinLimitFor(std::string_view host) {
  for (const BuiltinLimit& row : kTable) {
    if (row.host == host) return Parse(row.spec);
  }
  return std::nullopt;
}

LimitSpec DefaultLimitSpec() { return *Parse(kDefaultLimitDirective); }

}  // namespace whois::limits
