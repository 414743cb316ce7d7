#include "server/lookup_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "server/open_before_listening.h"
#include "util/info_writer.h"
#include "whois/limits/budget_key.h"
#include "whois/rdap/bootstrap.h"
#include "whois/resolver/lookup_order.h"

namespace server {
namespace {

constexpr std::string_view kDirectoryPrefix = "t:";
constexpr std::string_view kQuotaPrefix = "q:";

// Binds a socket to `address` (port 0) and closes it: an address the host does not have (or
// may not use) fails here, at start-up, rather than on every upstream query. OK if it binds.
util::Status CheckSourceAddress(const std::string& address) {
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
    return util::Status::InvalidArgument("not an IP address");
  }
  int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return util::Status::IOError(std::string("cannot open a socket: ") + std::strerror(errno));
  util::Status st;
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), len) != 0) {
    const int e = errno;
    st = util::Status::Unavailable(std::string("cannot bind it: ") + std::strerror(e) +
                                   (e == EADDRNOTAVAIL ? " (this host has no such address)" : ""));
  }
  close(fd);
  return st;
}

}  // namespace

LookupService::LookupService(uv_loop_t* loop, LookupStateStore* store, Clock clock)
    : loop_(loop), store_(store), clock_(std::move(clock)), heartbeat_(loop) {}

LookupService::~LookupService() {
  // Order matters: the resolver's callbacks reach into the sources and the gate, the gate's
  // into the clients.
  bootstrap_refresh_.reset();
  resolver_.reset();
  rdap_.reset();
  whois_.reset();
  gate_.reset();
  http_.reset();
  client_.reset();
}

util::StatusOr<LookupStateStore::Entries> LookupService::ReadMeta(const std::string& prefix) {
  bool loaded = false;
  storage::Status status;
  LookupStateStore::Entries entries;
  store_->ScanMeta(prefix, [&](storage::Status st, LookupStateStore::Entries kv) {
    status = st;
    entries = std::move(kv);
    loaded = true;
  });
  RunLoopUntil(loop_, loaded);
  if (!status.ok()) return status;
  return entries;
}

util::Status LookupService::LoadDirectory(const LookupServiceOptions& options,
                                          whois::TldDirectory* directory) {
  auto entries = ReadMeta(std::string(kDirectoryPrefix));
  if (!entries.ok())
    return util::Status::IOError("cannot read the TLD directory from the store: " +
                                 entries.status().ToString());
  size_t learned = 0;
  for (const auto& [key, value] : *entries) {
    std::optional<whois::ServerEntry> e = whois::DecodeEntry(value);
    if (!e) {
      spdlog::warn("ignoring an undecodable directory entry under key '{}'", key);
      continue;
    }
    const whois::ServerEntry* bundled = directory->Find(e->tld);
    if (!bundled || bundled->learned_at_ms <= e->learned_at_ms) {
      (void)directory->Set(std::move(*e));  // decoded entries pass CheckServerEntry
      ++learned;
    }
  }
  for (const whois::ServerEntry& e : options.tld_servers) {
    if (util::Status st = directory->Set(e); !st.ok())
      return util::Status::InvalidArgument("tld-server " + e.tld + " " + e.host + ": " +
                                           st.message());
  }
  spdlog::info("TLD directory: {} entries ({} learned from IANA, {} overrides)", directory->size(),
               learned, options.tld_servers.size());
  return util::Status::OK();
}

util::Status LookupService::LoadLimits(const LookupServiceOptions& service) {
  auto read = ReadMeta(std::string(kQuotaPrefix));
  if (!read.ok())
    return util::Status::IOError("cannot read the upstream quotas from the store: " +
                                 read.status().ToString());
  const LookupStateStore::Entries& entries = *read;
  int64_t now = clock_();
  // A previous process that died may have used every window up to its last heartbeat (and at
  // most one heartbeat after it): assume so, rather than burst as if those windows were empty.
  // A store that never ran a server has no history to respect.
  whois::limits::RegistryOptions options;
  // Deadlines bound every queue (a request that cannot start before its client gives up is
  // answered at once), so the cap only matters for hosts limited by concurrency alone.
  options.max_queue_per_host = kMaxQueuePerHost;
  options.sources = service.source_addresses;
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
  if (!service.default_limit.empty()) {
    auto spec = whois::limits::ParseLimitSpec(service.default_limit);
    if (!spec.ok())
      return util::Status::InvalidArgument("default-upstream-limit: " + spec.status().message());
    limits_->SetDefaultLimit(*spec, now);
  }
  for (const auto& [host, words] : service.limits) {
    auto spec = whois::limits::ParseLimitSpec(words);
    if (!spec.ok())
      return util::Status::InvalidArgument("upstream-limit " + host + ": " +
                                           spec.status().message());
    limits_->SetLimit(host, *spec, now);
  }
  size_t restored = 0;
  for (const auto& [key, value] : entries) {
    if (key == kAliveKey) continue;
    auto [host, budget] =
        whois::limits::LimitRegistry::SplitQuotaKey(key.substr(kQuotaPrefix.size()));
    if (util::Status st = limits_->RestoreQuota(host, value, now, budget); !st.ok()) {
      spdlog::warn("daily quota of {} ({}): {}; counting the whole cap as used", host,
                   whois::limits::BudgetLabel(budget), st.message());
    }
    ++restored;
  }
  spdlog::info(
      "upstream limits: {} operator rules, {} daily quotas restored, {} source "
      "addresses{}",
      service.limits.size(), restored, service.source_addresses.size(),
      options.assume_full_at_start ? ", windows assumed full after the last run" : "");
  return util::Status::OK();
}

util::Status LookupService::LoadBootstrap(const LookupServiceOptions& options,
                                          whois::rdap::RdapBootstrap* out) {
  // The registry last fetched, if it is newer than the bundled copy.
  whois::rdap::RdapBootstrap bootstrap = whois::rdap::RdapBootstrap::Bundled();
  // A store that cannot be read here was read a moment ago: the bundled copy serves.
  auto stored_entries = ReadMeta(std::string(kBootstrapKey));
  for (const auto& [key, value] : stored_entries.value_or(LookupStateStore::Entries{})) {
    if (key != kBootstrapKey) continue;
    auto stored = whois::rdap::RdapBootstrap::Decode(value);
    if (stored.ok()) {
      if (stored->publication() > bootstrap.publication()) bootstrap = std::move(stored).value();
    } else {
      spdlog::warn("ignoring the stored RDAP bootstrap registry: {}", stored.status().message());
    }
  }
  for (const auto& [tld, url] : options.rdap_servers) {
    if (util::Status st = bootstrap.Set(tld, url); !st.ok())
      return util::Status::InvalidArgument("rdap-server " + tld + " " + url + ": " + st.message());
  }
  spdlog::info("RDAP bootstrap: {} entries ({} overrides); lookup order {}", bootstrap.size(),
               options.rdap_servers.size(), options.lookup_order);
  *out = std::move(bootstrap);
  return util::Status::OK();
}

util::Status LookupService::Open(const LookupServiceOptions& options) {
  const whois::LookupOrderRow* order = whois::FindLookupOrder(options.lookup_order);
  if (order == nullptr)
    return util::Status::InvalidArgument("lookup-order must be one of " +
                                         whois::LookupOrderNames() + ", not '" +
                                         options.lookup_order + "'");
  whois::TldDirectory directory =
      options.bundled_directory ? whois::TldDirectory::Bundled() : whois::TldDirectory::Empty();
  for (const std::string& address : options.source_addresses) {
    if (util::Status st = CheckSourceAddress(address); !st.ok()) {
      return util::Status::InvalidArgument("upstream-source-address " + address + ": " +
                                           st.message());
    }
  }
  if (util::Status st = LoadDirectory(options, &directory); !st.ok()) return st;
  if (util::Status st = LoadLimits(options); !st.ok()) return st;
  whois::rdap::RdapBootstrap bootstrap;
  if (util::Status st = LoadBootstrap(options, &bootstrap); !st.ok()) return st;

  client_ = std::make_unique<whois::UpstreamClient>(loop_);
  LookupStateStore* store = store_;
  gate_ = std::make_unique<whois::UpstreamGate>(
      loop_, client_.get(), limits_.get(), clock_,
      [store](std::string key, std::string value, std::function<void(bool)> done) {
        // Reserved quota must be on disk before any of it is used: a synced write.
        store->PutMeta(key, std::move(value), true,
                       [done = std::move(done)](storage::Status st) { done(st.ok()); });
      });
  http_ = std::make_unique<whois::rdap::HttpClient>(loop_);

  whois::RdapSourceOptions rdap_options;
  rdap_options.access = options.access;
  rdap_ = std::make_unique<whois::RdapSource>(gate_.get(), http_.get(), std::move(bootstrap),
                                              std::move(rdap_options), clock_);
  whois::WhoisSourceOptions whois_options;
  whois_options.iana_server = options.iana_server;
  whois_options.max_referral_hops = options.max_referral_hops;
  whois_options.directory_max_age_ms = options.directory_max_age_ms;
  whois_options.access = options.access;
  whois_ = std::make_unique<whois::WhoisSource>(
      loop_, gate_.get(), std::move(directory), std::move(whois_options), clock_,
      [store](const whois::ServerEntry& e) {
        store->PutMeta(std::string(kDirectoryPrefix) + e.tld, whois::EncodeEntry(e), false,
                       [tld = e.tld](storage::Status st) {
                         if (!st.ok())
                           spdlog::warn("could not store the directory entry of .{}: {}", tld,
                                        st.ToString());
                       });
      });
  whois::LookupSource* available[] = {rdap_.get(), whois_.get()};
  std::vector<whois::LookupSource*> sources = whois::SourcesInOrder(*order, available);
  resolver_ = std::make_unique<whois::Resolver>(std::move(sources), whois_.get());

  if (options.rdap_bootstrap_refresh_ms > 0 && order->Uses(whois::kProtocolRdap)) {
    bootstrap_refresh_ = std::make_unique<whois::BootstrapRefresh>(
        loop_, gate_.get(), http_.get(), rdap_.get(), options.rdap_bootstrap_url, clock_,
        [store](std::string encoded) {
          store->PutMeta(std::string(kBootstrapKey), std::move(encoded), false,
                         [](storage::Status) {});
        });
    // First refresh soon after start-up, then every period.
    bootstrap_refresh_->Start(1000, static_cast<uint64_t>(options.rdap_bootstrap_refresh_ms));
  }

  Heartbeat();
  heartbeat_.Start(kHeartbeatMs, kHeartbeatMs, [this] { Heartbeat(); });
  return util::Status::OK();
}

void LookupService::Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
                           whois::Resolver::Done done, whois::limits::Priority priority) {
  resolver_->Lookup(domain, tld, deadline_ms, std::move(done), priority);
}

std::string LookupService::FirstHost(const std::string& domain, const std::string& tld) const {
  return resolver_->FirstHost(domain, tld);
}

void LookupService::SetProgressHandler(whois::LookupSource::Progress handler) {
  resolver_->SetProgressHandler(std::move(handler));
}

void LookupService::FindServer(const std::string& tld, int64_t deadline_ms,
                               whois::WhoisSource::EntryDone done) {
  whois_->FindServer(tld, deadline_ms, std::move(done));
}

void LookupService::ApplyLimits() { gate_->Pump(); }

void LookupService::SetFleet(whois::FleetAdmission* fleet) {
  if (gate_) gate_->SetFleet(fleet);
}

void LookupService::Heartbeat() {
  store_->PutMeta(std::string(kAliveKey), std::to_string(clock_()), false, [](storage::Status) {});
}

void LookupService::CancelAll() {
  if (gate_) gate_->CancelQueued();
  if (client_) client_->CancelAll();
  if (http_) http_->CancelAll();
}

void LookupService::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  if (whois_) {
    info.Field("upstream_queries", whois_->upstream_queries());
    info.Field("iana_queries", whois_->iana_queries());
    info.Field("directory_entries", whois_->directory().size());
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
    info.Field("upstream_" + host, v);
  }
}

}  // namespace server
