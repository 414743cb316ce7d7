#include "server/live_resolution.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "whois/limits/budget_key.h"
#include "whois/rdap/rdap_url.h"

namespace server {
namespace {

constexpr std::string_view kDirectoryPrefix = "t:";
constexpr std::string_view kQuotaPrefix = "q:";

// Binds a socket to `address` (port 0) and closes it: an address the host does not have (or
// may not use) fails here, at start-up, rather than on every upstream query. Empty if it binds.
std::string CheckSourceAddress(const std::string& address) {
  sockaddr_storage storage{};
  socklen_t len = 0;
  auto* in = reinterpret_cast<sockaddr_in*>(&storage);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    return "not an IP address";
  }
  int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot open a socket: ") + std::strerror(errno);
  std::string error;
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), len) != 0) {
    const int e = errno;
    error = std::string("cannot bind it: ") + std::strerror(e) +
            (e == EADDRNOTAVAIL ? " (this host has no such address)" : "");
  }
  close(fd);
  return error;
}

}  // namespace

LiveResolution::LiveResolution(uv_loop_t* loop, storage::RecordStore* store, Clock clock)
    : loop_(loop),
      store_(store),
      clock_(std::move(clock)),
      heartbeat_(loop),
      bootstrap_timer_(loop) {}

LiveResolution::~LiveResolution() {
  // Order matters: the resolver's callbacks reach into the sources and the gate, the gate's
  // into the clients.
  resolver_.reset();
  rdap_.reset();
  gate_.reset();
  http_.reset();
  client_.reset();
}

std::vector<std::pair<std::string, std::string>> LiveResolution::ReadMeta(const std::string& prefix,
                                                                          std::string* error) {
  bool loaded = false;
  storage::Status status;
  std::vector<std::pair<std::string, std::string>> entries;
  store_->ScanMeta(prefix,
                   [&](storage::Status st, std::vector<std::pair<std::string, std::string>> kv) {
                     status = st;
                     entries = std::move(kv);
                     loaded = true;
                   });
  // The server does not listen yet, so running the loop here delays nobody.
  while (!loaded) uv_run(loop_, UV_RUN_ONCE);
  if (!status.ok()) *error = status.ToString();
  return entries;
}

std::string LiveResolution::LoadDirectory(const Config& cfg, whois::TldDirectory* directory) {
  std::string error;
  auto entries = ReadMeta(std::string(kDirectoryPrefix), &error);
  if (!error.empty()) return "cannot read the TLD directory from the store: " + error;
  size_t learned = 0;
  for (const auto& [key, value] : entries) {
    std::optional<whois::ServerEntry> e = whois::DecodeEntry(value);
    if (!e) {
      spdlog::warn("ignoring an undecodable directory entry under key '{}'", key);
      continue;
    }
    const whois::ServerEntry* bundled = directory->Find(e->tld);
    if (!bundled || bundled->learned_at_ms <= e->learned_at_ms) {
      directory->Set(std::move(*e));
      ++learned;
    }
  }
  for (const auto& t : cfg.tld_servers) {
    whois::ServerEntry e;
    e.tld = t.tld;
    e.host = t.host;
    e.port = static_cast<uint16_t>(t.port);
    e.query_format = t.format;
    e.origin = whois::ServerEntry::Origin::kOverride;
    std::string why;
    if (!directory->Set(std::move(e), &why))
      return "tld-server " + t.tld + " " + t.host + ": " + why;
  }
  spdlog::info("TLD directory: {} entries ({} learned from IANA, {} overrides)", directory->size(),
               learned, cfg.tld_servers.size());
  return {};
}

std::string LiveResolution::LoadLimits(const Config& cfg) {
  std::string error;
  auto entries = ReadMeta(std::string(kQuotaPrefix), &error);
  if (!error.empty()) return "cannot read the upstream quotas from the store: " + error;
  int64_t now = clock_();
  // A previous process that died may have used every window up to its last heartbeat (and at
  // most one heartbeat after it): assume so, rather than burst as if those windows were empty.
  // A store that never ran a server has no history to respect.
  whois::limits::RegistryOptions options;
  // Deadlines bound every queue (a request that cannot start before its client gives up is
  // answered at once), so the cap only matters for hosts limited by concurrency alone.
  options.max_queue_per_host = kMaxQueuePerHost;
  options.sources = cfg.upstream_source_addresses;
  // Registries count a query when it arrives: the gate reports the write (see limits/budget.h).
  options.count_when_sent = true;
  int64_t assume_full_at = now;
  options.assume_full_at_start = false;
  for (const auto& [key, value] : entries) {
    if (key != kAliveKey) continue;
    int64_t last_alive = 0;
    std::from_chars(value.data(), value.data() + value.size(), last_alive);
    if (last_alive > 0) {
      options.assume_full_at_start = true;
      assume_full_at = std::min(now, last_alive + 2 * kHeartbeatMs);
    }
  }
  limits_ = std::make_unique<whois::limits::LimitRegistry>(options, assume_full_at);
  if (!cfg.default_upstream_limit.empty()) {
    auto spec = whois::limits::ParseLimitSpec(cfg.default_upstream_limit);
    if (auto* e = std::get_if<std::string>(&spec)) return "default-upstream-limit: " + *e;
    limits_->SetDefaultLimit(std::get<whois::limits::LimitSpec>(spec), now);
  }
  for (const auto& [host, words] : cfg.upstream_limits) {
    auto spec = whois::limits::ParseLimitSpec(words);
    if (auto* e = std::get_if<std::string>(&spec)) return "upstream-limit " + host + ": " + *e;
    limits_->SetLimit(host, std::get<whois::limits::LimitSpec>(spec), now);
  }
  size_t restored = 0;
  for (const auto& [key, value] : entries) {
    if (key == kAliveKey) continue;
    auto [host, budget] =
        whois::limits::LimitRegistry::SplitQuotaKey(key.substr(kQuotaPrefix.size()));
    if (auto why = limits_->RestoreQuota(host, value, now, budget)) {
      spdlog::warn("daily quota of {} ({}): {}; counting the whole cap as used", host,
                   whois::limits::BudgetLabel(budget), *why);
    }
    ++restored;
  }
  spdlog::info(
      "upstream limits: {} operator rules, {} daily quotas restored, {} source "
      "addresses{}",
      cfg.upstream_limits.size(), restored, cfg.upstream_source_addresses.size(),
      options.assume_full_at_start ? ", windows assumed full after the last run" : "");
  return {};
}

std::string LiveResolution::Open(const Config& cfg) {
  whois::TldDirectory directory =
      cfg.bundled_directory ? whois::TldDirectory::Bundled() : whois::TldDirectory::Empty();
  for (const std::string& address : cfg.upstream_source_addresses) {
    if (std::string why = CheckSourceAddress(address); !why.empty()) {
      return "upstream-source-address " + address + ": " + why;
    }
  }
  if (std::string err = LoadDirectory(cfg, &directory); !err.empty()) return err;
  if (std::string err = LoadLimits(cfg); !err.empty()) return err;

  client_ = std::make_unique<whois::UpstreamClient>(loop_);
  storage::RecordStore* store = store_;
  gate_ = std::make_unique<whois::UpstreamGate>(
      loop_, client_.get(), limits_.get(), clock_,
      [store](std::string key, std::string value, std::function<void(bool)> done) {
        // Reserved quota must be on disk before any of it is used: a synced write.
        store->PutMeta(key, std::move(value), true,
                       [done = std::move(done)](storage::Status st) { done(st.ok()); });
      });

  http_ = std::make_unique<whois::rdap::HttpClient>(loop_);
  // The registry last fetched from IANA, if it is newer than the bundled copy.
  whois::rdap::RdapBootstrap bootstrap = whois::rdap::RdapBootstrap::Bundled();
  std::string meta_error;
  for (const auto& [key, value] : ReadMeta(std::string(kBootstrapKey), &meta_error)) {
    if (key != kBootstrapKey) continue;
    auto stored = whois::rdap::RdapBootstrap::Decode(value);
    if (auto* b = std::get_if<whois::rdap::RdapBootstrap>(&stored)) {
      if (b->publication() > bootstrap.publication()) bootstrap = std::move(*b);
    } else {
      spdlog::warn("ignoring the stored RDAP bootstrap registry: {}",
                   std::get<std::string>(stored));
    }
  }
  for (const auto& [tld, url] : cfg.rdap_servers) {
    if (std::string why = bootstrap.Set(tld, url); !why.empty())
      return "rdap-server " + tld + " " + url + ": " + why;
  }
  whois::RdapSourceOptions rdo;
  rdo.allow_private_upstreams = cfg.allow_private_upstreams;
  for (const auto& a : cfg.upstream_addresses) rdo.pinned_addresses[a.host] = a.address;
  rdo.connect_timeout_ms = cfg.upstream_connect_timeout_ms;
  rdo.total_timeout_ms = cfg.upstream_timeout_ms;
  rdo.max_body_bytes = static_cast<size_t>(cfg.upstream_max_reply);
  spdlog::info("RDAP bootstrap: {} entries ({} overrides); lookup order {}", bootstrap.size(),
               cfg.rdap_servers.size(), cfg.lookup_order);
  rdap_ = std::make_unique<whois::RdapSource>(gate_.get(), http_.get(), std::move(bootstrap),
                                              std::move(rdo), clock_);

  whois::ResolverOptions ro;
  ro.order = cfg.lookup_order == "whois-first"  ? whois::LookupOrder::kWhoisFirst
             : cfg.lookup_order == "rdap-only"  ? whois::LookupOrder::kRdapOnly
             : cfg.lookup_order == "whois-only" ? whois::LookupOrder::kWhoisOnly
                                                : whois::LookupOrder::kRdapFirst;
  ro.iana_server = cfg.iana_server;
  ro.max_referral_hops = cfg.max_referral_hops;
  ro.directory_max_age_ms = cfg.directory_max_age_s * 1000;
  ro.allow_private_upstreams = cfg.allow_private_upstreams;
  for (const auto& a : cfg.upstream_addresses) ro.pinned_addresses[a.host] = a.address;
  ro.connect_timeout_ms = cfg.upstream_connect_timeout_ms;
  ro.query_timeout_ms = cfg.upstream_timeout_ms;
  ro.max_reply_bytes = static_cast<size_t>(cfg.upstream_max_reply);
  resolver_ = std::make_unique<whois::Resolver>(
      loop_, gate_.get(), rdap_.get(), std::move(directory), std::move(ro), clock_,
      [store](const whois::ServerEntry& e) {
        store->PutMeta(std::string(kDirectoryPrefix) + e.tld, whois::EncodeEntry(e), false,
                       [tld = e.tld](storage::Status st) {
                         if (!st.ok())
                           spdlog::warn("could not store the directory entry of .{}: {}", tld,
                                        st.ToString());
                       });
      });

  bootstrap_url_ = cfg.rdap_bootstrap_url;
  if (cfg.rdap_bootstrap_refresh_s > 0 && cfg.lookup_order != "whois-only") {
    // First refresh soon after start-up, then every period.
    auto period = static_cast<uint64_t>(cfg.rdap_bootstrap_refresh_s) * 1000;
    bootstrap_timer_.Start(1000, period, [this] { RefreshBootstrap(); });
  }

  Heartbeat();
  heartbeat_.Start(kHeartbeatMs, kHeartbeatMs, [this] { Heartbeat(); });
  return {};
}

void LiveResolution::RefreshBootstrap() {
  auto url = whois::rdap::ParseRdapUrl(bootstrap_url_);
  if (auto* err = std::get_if<std::string>(&url)) {
    spdlog::warn("rdap-bootstrap-url '{}': {}", bootstrap_url_, *err);
    return;
  }
  std::string host = std::get<whois::rdap::RdapUrl>(url).host;
  whois::rdap::HttpRequestOptions o;
  o.max_body_bytes = whois::rdap::kMaxBootstrapBytes;
  o.allow_http = true;  // the operator's URL (the default is https)
  o.allow_private = true;
  int64_t deadline = clock_() + 60 * 1000;
  gate_->Admit(
      host, whois::limits::Priority::kBackground, deadline,
      [this, o](whois::UpstreamGate::GateStart start) mutable {
        o.source_address = std::move(start.source_address);
        o.on_sent = std::move(start.sent);
        http_->Get(bootstrap_url_, o,
                   [this, finish = std::move(start.finish)](whois::rdap::HttpResult h) {
                     std::optional<int64_t> wait_ms;
                     finish(whois::RdapOutcome(h, &wait_ms), wait_ms);
                     if (h.failure != whois::rdap::HttpFailure::kNone || h.status != 200) {
                       spdlog::warn("RDAP bootstrap refresh from {} failed: {}", bootstrap_url_,
                                    h.failure != whois::rdap::HttpFailure::kNone
                                        ? h.error
                                        : "HTTP " + std::to_string(h.status));
                       return;
                     }
                     auto parsed = whois::rdap::RdapBootstrap::Parse(h.body);
                     if (auto* err = std::get_if<std::string>(&parsed)) {
                       spdlog::warn("RDAP bootstrap from {} refused: {}", bootstrap_url_, *err);
                       return;
                     }
                     auto& fresh = std::get<whois::rdap::RdapBootstrap>(parsed);
                     fresh.KeepOverridesFrom(rdap_->bootstrap());
                     store_->PutMeta(std::string(kBootstrapKey), fresh.Encode(), false,
                                     [](storage::Status) {});
                     spdlog::info("RDAP bootstrap refreshed: {} entries, published {}",
                                  fresh.size(), fresh.publication());
                     rdap_->bootstrap() = std::move(fresh);
                   });
      },
      [](whois::GateResult g) {
        spdlog::warn("RDAP bootstrap refresh not started: {}",
                     g.limited.empty() ? g.upstream.error : g.message);
      });
}

void LiveResolution::Heartbeat() {
  store_->PutMeta(std::string(kAliveKey), std::to_string(clock_()), false, [](storage::Status) {});
}

void LiveResolution::CancelAll() {
  if (gate_) gate_->CancelQueued();
  if (client_) client_->CancelAll();
  if (http_) http_->CancelAll();
}

void LiveResolution::AppendInfo(std::string* out) const {
  auto field = [out](std::string_view k, const std::string& v) {
    *out += k;
    *out += ':';
    *out += v;
    *out += "\r\n";
  };
  if (resolver_) {
    field("upstream_queries", std::to_string(resolver_->upstream_queries()));
    field("iana_queries", std::to_string(resolver_->iana_queries()));
    field("directory_entries", std::to_string(resolver_->directory().size()));
  }
  if (!limits_) return;
  // One line per upstream host seen, in Redis's "name:k=v,k=v" style: the sums over the host's
  // budgets (one per source address, network or the whole proxy; see WHOIS.LIMITS host for
  // each), the longest cool-down, the lowest rate factor, and how many budgets there are.
  for (const auto& [host, s] : limits_->Stats(clock_())) {
    std::string v = "admitted=" + std::to_string(s.admitted) +
                    ",queued=" + std::to_string(s.queued) +
                    ",in_flight=" + std::to_string(s.in_flight);
    for (size_t i = 0; i < s.rejected.size(); ++i)
      v += ",rejected_" +
           std::string(
               whois::limits::RejectReasonName(static_cast<whois::limits::RejectReason>(i))) +
           "=" + std::to_string(s.rejected[i]);
    v += ",window=" + std::to_string(s.window_count) + "/" + std::to_string(s.window_limit) +
         ",used_today=" + std::to_string(s.used_today) +
         ",daily_cap=" + std::to_string(s.daily_cap) +
         ",cooldown_ms=" + std::to_string(std::max<int64_t>(0, s.cooldown_until_ms - clock_())) +
         ",probing=" + std::to_string(s.probing ? 1 : 0) +
         ",rate_percent=" + std::to_string(s.rate_factor_percent) +
         ",refusals=" + std::to_string(s.refusals) + ",budgets=" + std::to_string(s.budgets.size());
    field("upstream_" + host, v);
  }
}

}  // namespace server
