// Everything the lookup service is configured by, as one value: built once from the config
// (LookupOptionsFromConfig) and read by LookupService::Open, which hands each part to the piece
// of whois/ it configures. Pure data.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/config.h"
#include "whois/directory/tld_directory.h"
#include "whois/resolver/upstream_access.h"

namespace server {

struct LookupServiceOptions {
  std::string lookup_order = "rdap-first";  // a row of whois::LookupOrders()
  whois::UpstreamAccess access;             // shared by the WHOIS and RDAP sources

  // WHOIS: the directory and the referral chain.
  bool bundled_directory = true;  // else the directory starts empty and is learned from IANA
  std::vector<whois::ServerEntry> tld_servers;  // `tld-server` overrides
  std::string iana_server = "whois.iana.org";
  int max_referral_hops = 3;
  int64_t directory_max_age_ms = int64_t{30} * 24 * 3600 * 1000;

  // RDAP: `rdap-server` overrides (TLD, URL) and the bootstrap registry's refresh.
  std::vector<std::pair<std::string, std::string>> rdap_servers;
  std::string rdap_bootstrap_url;
  int64_t rdap_bootstrap_refresh_ms = 0;  // 0: never

  // Upstream limits: source addresses, the operator's rules (the directive's words).
  std::vector<std::string> source_addresses;
  std::vector<std::string> default_limit;  // empty: the built-in default
  std::vector<std::pair<std::string, std::vector<std::string>>> limits;
};

LookupServiceOptions LookupOptionsFromConfig(const Config& config);

}  // namespace server
