#include "server/lookup_options.h"

namespace server {

LookupServiceOptions LookupOptionsFromConfig(const Config& cfg) {
  LookupServiceOptions o;
  o.lookup_order = cfg.lookup_order;
  o.access.allow_private = cfg.allow_private_upstreams;
  for (const auto& a : cfg.upstream_addresses) o.access.pinned_addresses[a.host] = a.address;
  o.access.connect_timeout_ms = cfg.upstream_connect_timeout_ms;
  o.access.timeout_ms = cfg.upstream_timeout_ms;
  o.access.max_reply_bytes = static_cast<size_t>(cfg.upstream_max_reply);
  o.bundled_directory = cfg.bundled_directory;
  for (const auto& t : cfg.tld_servers) {
    whois::ServerEntry e;
    e.tld = t.tld;
    e.host = t.host;
    e.port = static_cast<uint16_t>(t.port);
    e.query_format = t.format;
    e.origin = whois::ServerEntry::Origin::kOverride;
    o.tld_servers.push_back(std::move(e));
  }
  o.iana_server = cfg.iana_server;
  o.max_referral_hops = cfg.max_referral_hops;
  o.directory_max_age_ms = cfg.directory_max_age_s * 1000;
  o.rdap_servers = cfg.rdap_servers;
  o.rdap_bootstrap_url = cfg.rdap_bootstrap_url;
  o.rdap_bootstrap_refresh_ms = cfg.rdap_bootstrap_refresh_s * 1000;
  o.source_addresses = cfg.upstream_source_addresses;
  o.default_limit = cfg.default_upstream_limit;
  o.limits = cfg.upstream_limits;
  return o;
}

}  // namespace server
