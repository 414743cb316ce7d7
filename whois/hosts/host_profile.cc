#include "whois/hosts/host_profile.h"

#include <array>

#include "util/ascii.h"
#include "util/enum_names.h"

namespace whois {
namespace {

// Limits: numbers are the published ones where there are any, rounded down; where a registry
// only says that it limits (or bans) without numbers, we pick values well below what a person at
// a terminal would do. Values marked "our choice" are not published figures.
constexpr std::string_view kCentralNic =
    "CentralNic WHOIS policy (centralnic.com, 'WHOIS service'): 1800 queries per 15 minutes per "
    "IPv4 /24 or IPv6 /48 network; applies to the TLD servers CentralNic runs as back-end (IANA "
    "root database lists CentralNic as technical contact)";
// CentralNic counts per network, so more addresses in one /24 (or /48) add nothing.
constexpr std::string_view kCentralNicLimits = "concurrency 2 rate 1800/15m scope network /24 /48";

// Freenom's registries write month-first dates and indent "Record maintained by:".
constexpr RuleSetId kFreenom = RuleSetId::kFreenom;
constexpr std::string_view kLatin1 = "iso-8859-1";

constexpr HostProfile CentralNic(std::string_view host) {
  return {.host = host, .limits = kCentralNicLimits, .limits_source = kCentralNic};
}

// One row per host, sorted by host. Sources of query formats and charsets:
// whois/hosts/README.md; of limits: the row's limits_source.
constexpr std::array kProfiles = {
    // Verisign's thin registries: "domain" restricts the search to domain objects; a bare name
    // also matches name-server and registrar objects and returns several records.
    HostProfile{.host = "ccwhois.verisign-grs.com", .query_format = "domain %s"},
    HostProfile{.host = "tvwhois.verisign-grs.com", .query_format = "domain %s"},
    HostProfile{.host = "whois.ax", .charset = kLatin1},
    CentralNic("whois.centralnic.com"),
    HostProfile{.host = "whois.denic.de",
                .query_format = "-T dn,ace %s",  // ACE in, full record out
                .limits = "concurrency 1 rate 1/s rate 300/h",
                .limits_source =
                    "DENIC WHOIS conditions (denic.de): limits queries per address without "
                    "publishing numbers; our conservative choice"},
    HostProfile{.host = "whois.dk-hostmaster.dk", .query_format = "--show-handles %s"},  // punktum
    HostProfile{.host = "whois.dns.be",
                .rule_set = RuleSetId::kIndented,
                .limits = "concurrency 1 rate 100/h",
                .limits_source =
                    "DNS Belgium WHOIS terms (dnsbelgium.be): 100 queries per hour per address"},
    HostProfile{.host = "whois.dns.lu", .charset = kLatin1},
    HostProfile{.host = "whois.dns.pt", .charset = kLatin1},
    HostProfile{.host = "whois.domain-registry.nl",
                .limits = "concurrency 1 rate 1/s daily 1000",
                .limits_source =
                    "SIDN WHOIS terms (sidn.nl): 1 query per second; SIDN also enforces a daily "
                    "maximum without publishing it, 1,000 is our conservative choice"},
    HostProfile{.host = "whois.dominio.gq", .rule_set = kFreenom},
    HostProfile{.host = "whois.dot.cf", .rule_set = kFreenom},
    HostProfile{.host = "whois.dot.ga", .rule_set = kFreenom},
    HostProfile{.host = "whois.dot.ml", .rule_set = kFreenom},
    HostProfile{.host = "whois.dot.tk", .rule_set = kFreenom},
    HostProfile{.host = "whois.eu",
                .limits = "concurrency 1 rate 15/m",
                .limits_source = "EURid WHOIS terms (eurid.eu): 15 queries per minute per "
                                 "address; concurrency is our choice"},
    HostProfile{.host = "whois.fi", .charset = kLatin1},
    HostProfile{.host = "whois.iana.org",
                .limits = "concurrency 1 rate 2/s rate 60/m",
                .limits_source = "IANA WHOIS: no published limit; a shared public service "
                                 "queried for every referral, so our conservative choice"},
    HostProfile{.host = "whois.isnic.is", .charset = kLatin1},
    HostProfile{.host = "whois.ja.net", .rule_set = RuleSetId::kIndented},
    HostProfile{.host = "whois.jprs.jp",
                .query_format = "%s/e",  // English output
                .charset = "iso-2022-jp",
                .rule_set = RuleSetId::kBracket},
    HostProfile{.host = "whois.kr", .rule_set = RuleSetId::kBracket},
    HostProfile{.host = "whois.nic.ad.jp", .charset = "iso-2022-jp"},
    CentralNic("whois.nic.art"),
    CentralNic("whois.nic.bond"),
    CentralNic("whois.nic.cfd"),
    HostProfile{.host = "whois.nic.fr", .rule_set = RuleSetId::kRipe},
    CentralNic("whois.nic.fun"),
    CentralNic("whois.nic.host"),
    HostProfile{.host = "whois.nic.hu", .charset = kLatin1},
    CentralNic("whois.nic.icu"),
    HostProfile{.host = "whois.nic.it", .rule_set = RuleSetId::kIndented},
    CentralNic("whois.nic.la"),
    HostProfile{.host = "whois.nic.name", .query_format = "domain=%s"},
    CentralNic("whois.nic.online"),
    HostProfile{.host = "whois.nic.pm", .rule_set = RuleSetId::kRipe},
    CentralNic("whois.nic.press"),
    CentralNic("whois.nic.pw"),
    HostProfile{.host = "whois.nic.re", .rule_set = RuleSetId::kRipe},
    CentralNic("whois.nic.sbs"),
    CentralNic("whois.nic.site"),
    CentralNic("whois.nic.space"),
    CentralNic("whois.nic.store"),
    CentralNic("whois.nic.tech"),
    HostProfile{.host = "whois.nic.tf", .rule_set = RuleSetId::kRipe},
    HostProfile{.host = "whois.nic.tr", .charset = "iso-8859-9"},
    HostProfile{.host = "whois.nic.uk",
                .rule_set = RuleSetId::kIndented,
                .limits = "concurrency 2 rate 5/s daily 1000",
                .limits_source = "Nominet WHOIS fair use (nominet.uk/whois): 5 queries/s and "
                                 "1,000 per 24 h for an unregistered address; concurrency 2 is "
                                 "our choice"},
    CentralNic("whois.nic.uno"),
    CentralNic("whois.nic.website"),
    HostProfile{.host = "whois.nic.wf", .rule_set = RuleSetId::kRipe},
    CentralNic("whois.nic.xyz"),
    HostProfile{.host = "whois.nic.yt", .rule_set = RuleSetId::kRipe},
    HostProfile{.host = "whois.norid.no", .charset = kLatin1},
    HostProfile{.host = "whois.punktum.dk", .query_format = "--show-handles %s"},
    HostProfile{.host = "whois.radb.net",
                .limits = "concurrency 4 rate 5/s",
                .limits_source = "RADb (Merit) usage note: at most 4 simultaneous connections; "
                                 "rate is our choice"},
    HostProfile{.host = "whois.registro.br", .charset = kLatin1},
    HostProfile{.host = "whois.ripe.net",
                .limits = "concurrency 1 rate 1/s daily 1000",
                .limits_source =
                    "RIPE Database acceptable use policy (ripe.net): more than 1,000 "
                    "personal-data objects in 24 h blocks the address, and repeat offenders are "
                    "blocked permanently; we count every query as one such object"},
    HostProfile{.host = "whois.sk-nic.sk", .rule_set = RuleSetId::kColumn},
    HostProfile{.host = "whois.verisign-grs.com",
                .query_format = "domain %s",
                .limits = "concurrency 2 rate 5/s",
                .limits_source = "Verisign .com/.net registry WHOIS: throttles per address "
                                 "without published numbers; our conservative choice"},
};

constexpr HostProfile kDefault{};

const HostProfile* Row(std::string_view lower_host) {
  for (const HostProfile& row : kProfiles) {
    if (row.host == lower_host) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view RuleSetIdName(RuleSetId id) {
  static constexpr util::EnumNames<RuleSetId::kColumn> kNames(
      {"by-text", "icann", "ripe", "indented", "bracket", "freenom", "columns"}, "unknown");
  return kNames.Name(id);
}

std::span<const HostProfile> HostProfiles() { return kProfiles; }

const HostProfile& HostProfileFor(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  // The exact host, then each parent domain in turn: the nearest row wins.
  for (std::string name = util::ToLower(host); !name.empty();) {
    if (const HostProfile* row = Row(name)) return *row;
    const size_t dot = name.find('.');
    if (dot == std::string::npos) break;
    name.erase(0, dot + 1);
  }
  return kDefault;
}

}  // namespace whois
