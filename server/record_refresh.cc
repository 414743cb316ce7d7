// RecordService's background side: the jobs BackgroundLookups runs (refreshes of stale and
// nearly stale records, prefetches), WHOIS.PREFETCH, WHOIS.QUEUE's figures, and the commands
// that read the store as it is: WHOIS.HISTORY and WHOIS.CACHED.
#include <spdlog/spdlog.h>

#include "server/record_service.h"
#include "server/server.h"
#include "whois/record/record.h"
#include "whois/resolver/resolver.h"

namespace server {
namespace {

std::string LastLabel(const std::string& domain) {
  size_t dot = domain.rfind('.');
  return dot == std::string::npos ? domain : domain.substr(dot + 1);
}

// A history version's JSON with its source.fetched_at (an imported record may have come
// without one; the store knows when it was written).
std::string WithFetchedAt(const storage::Record& version) {
  if (version.json.find("\"fetched_at\"") != std::string::npos) return version.json;
  auto parsed = whois::RecordFromJson(version.json);
  if (!parsed.ok()) return version.json;
  parsed->fetched_at = whois::FormatIsoUtc(version.fetched_at_ms);
  return whois::ToJson(*parsed);
}

// Background lookups at once per host when its limits set no concurrency.
constexpr size_t kBackgroundCapUnlimited = 4;

}  // namespace

std::unique_ptr<BackgroundLookups> RecordService::MakeBackgroundLookups() {
  BackgroundLookups::Hooks hooks;
  hooks.clock = [this] { return WallNowMs(); };
  hooks.host_for = [this](const std::string& domain) {
    return lookup_->FirstHost(domain, LastLabel(domain));
  };
  // Background work leaves one of the host's connections to clients: a lookup already running
  // is never interrupted, so a client must not find every slot taken by one.
  hooks.cap_for = [this](const std::string& host) -> size_t {
    int64_t c = lookup_->limits().SpecFor(host).concurrency;
    if (c <= 0) return kBackgroundCapUnlimited;
    return static_cast<size_t>(c > 1 ? c - 1 : 1);
  };
  hooks.run = [this](const BackgroundJob& job,
                     std::function<void(BackgroundLookups::Result)> done) {
    RunBackgroundJob(job, std::move(done));
  };
  return std::make_unique<BackgroundLookups>(server_->loop(), store_.get(), std::move(hooks));
}

void RecordService::RunBackgroundJob(const BackgroundJob& job,
                                     std::function<void(BackgroundLookups::Result)> done) {
  using Outcome = BackgroundLookups::Outcome;
  store_->Get(job.domain, [this, job, done = std::move(done)](storage::Status st,
                                                              storage::Record rec) mutable {
    if (closing_) return done({Outcome::kCancelled, 0});
    if (!st.ok() && !st.IsNotFound()) {
      spdlog::warn("background lookup of {}: {}", job.domain, st.ToString());
      return done({Outcome::kFailed, 0});
    }
    int64_t now = WallNowMs();
    const bool known = st.ok() && rec.status != storage::RecordStatus::kFallback;
    // Still needed? A refresh: the record is there and due (its back-off allows it). A
    // prefetch: the domain is unknown or stale (and not backing off).
    bool needed;
    if (job.kind == BackgroundKind::kPrefetch)
      needed = !st.ok() || (rec.stale_at_ms <= now && rec.refresh_after_ms <= now);
    else
      needed = known && now >= RefreshAtMs(rec);
    if (!needed) {
      // The hot set may still hold this record waiting for the refresh that was queued.
      if (st.ok()) hot_->SetRefreshAt(job.domain, RefreshAtMs(rec));
      return done({Outcome::kSkipped, 0});
    }
    auto parsed = names_->Normalize(job.domain);
    const whois::DomainName* name = parsed.ok() ? &parsed.value() : nullptr;
    if (name == nullptr || name->domain != job.domain) return done({Outcome::kSkipped, 0});
    if (known) ++refreshes_started_;
    ObserveLookup(*name, now + whois::kBackgroundBudgetMs,
                  [this, known, done = std::move(done)](const LookupSummary& s) {
                    if (known && s.outcome != Outcome::kCancelled)
                      ++(s.outcome == Outcome::kDone ? refreshes_succeeded_ : refreshes_failed_);
                    done({s.outcome, s.retry_after_ms});
                  });
  });
}

void RecordService::Prefetch(std::vector<std::string> args,
                             std::function<void(util::StatusOr<int64_t>)> done) {
  if (closing_) return done(util::Status::Unavailable("server is shutting down"));
  // Each valid name's record is read; the unknown and stale ones are queued.
  struct Gather {
    size_t remaining = 0;
    std::vector<std::string> domains;
    std::vector<char> wanted;  // by index into domains: the queue keeps the order given
    util::Status error;
    std::function<void(util::StatusOr<int64_t>)> done;
  };
  auto g = std::make_shared<Gather>();
  g->done = std::move(done);
  for (const std::string& arg : args) {
    NameResult name = Normalize(arg);
    if (!name.domain.empty()) g->domains.push_back(std::move(name.domain));
  }
  g->wanted.assign(g->domains.size(), 0);
  auto finish = [this, g] {
    if (!g->error.ok()) return g->done(g->error);
    std::vector<std::string> wanted;
    for (size_t i = 0; i < g->domains.size(); ++i)
      if (g->wanted[i]) wanted.push_back(std::move(g->domains[i]));
    if (wanted.empty()) return g->done(int64_t{0});
    const uint64_t max = static_cast<uint64_t>(server_->config().prefetch_queue_max);
    background_->Prefetch(
        wanted, max, [g, max](storage::Status st, storage::DurableQueue::AddResult r) {
          if (!st.ok()) return g->done(util::Status::IOError("prefetch queue: " + st.ToString()));
          if (r.full)
            return g->done(util::Status::Unavailable(
                "prefetch queue is full: prefetch-queue-max is " + std::to_string(max) + " and " +
                std::to_string(r.size) + " names are queued"));
          g->done(static_cast<int64_t>(r.added));
        });
  };
  g->remaining = g->domains.size();
  if (g->domains.empty()) return finish();
  for (size_t i = 0; i < g->domains.size(); ++i) {
    store_->Get(g->domains[i], [this, g, i, finish](storage::Status st, storage::Record rec) {
      if (st.IsNotFound() || (st.ok() && rec.stale_at_ms <= WallNowMs()))
        g->wanted[i] = 1;
      else if (!st.ok())
        g->error = StoreError(st);
      if (--g->remaining == 0) finish();
    });
  }
}

BackgroundLookups::Figures RecordService::QueueFigures() const {
  return background_ ? background_->figures() : BackgroundLookups::Figures{};
}

void RecordService::Cached(std::string_view arg,
                           std::function<void(std::optional<std::string>)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) return done(std::nullopt);
  store_->Get(name.domain, [done = std::move(done)](storage::Status st, storage::Record rec) {
    if (!st.ok()) return done(std::nullopt);
    done(std::move(rec.json));
  });
}

void RecordService::History(std::string_view arg, size_t count,
                            std::function<void(util::StatusOr<std::vector<std::string>>)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty())
    return done(
        util::Status::InvalidArgument("invalid domain '" + std::string(arg.substr(0, 256)) + "'"));
  size_t max = static_cast<size_t>(server_->config().history_max_versions);
  store_->GetHistory(
      name.domain, std::min(count, max),
      [done = std::move(done)](storage::Status st, std::vector<storage::Record> versions) {
        if (!st.ok()) return done(StoreError(st));
        std::vector<std::string> json;
        json.reserve(versions.size());
        for (const auto& v : versions) json.push_back(WithFetchedAt(v));
        done(std::move(json));
      });
}

}  // namespace server
