#include "server/background_lookups.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/open_before_listening.h"

namespace server {
namespace {

// Prefetch entries are read from the durable queue this many at a time per host, when fewer
// than kPrefetchLowWater are buffered: enough to keep any host's budget busy between reads,
// few enough that a queue of millions costs no memory.
constexpr size_t kPrefetchBatch = 256;
constexpr size_t kPrefetchLowWater = 64;

}  // namespace

BackgroundLookups::BackgroundLookups(uv_loop_t* loop, storage::RecordStore* store, Hooks hooks)
    : loop_(loop), store_(store), hooks_(std::move(hooks)), timer_(loop) {}

BackgroundLookups::~BackgroundLookups() { *alive_ = false; }

util::Status BackgroundLookups::Open() {
  queue_ = std::make_unique<storage::DurableQueue>(store_, std::string(kPrefetchPrefix));
  util::Status status = OpenQueueBeforeListening(loop_, queue_.get(), "prefetch queue");
  if (!status.ok()) return status;
  if (queue_->size() > 0)
    spdlog::info("prefetch queue: {} names to resume over {} upstream hosts", queue_->size(),
                 queue_->groups().size());
  Pump();
  return util::Status::OK();
}

void BackgroundLookups::Close() {
  closed_ = true;
  timer_.Stop();
}

bool BackgroundLookups::Refresh(const std::string& domain, BackgroundKind kind) {
  if (closed_) return false;
  if (!plan_.Add(hooks_.host_for(domain), domain, kind)) return false;
  Pump();
  return true;
}

void BackgroundLookups::Prefetch(
    const std::vector<std::string>& domains, uint64_t max_entries,
    std::function<void(storage::Status, storage::DurableQueue::AddResult)> done) {
  std::vector<storage::DurableQueue::Item> items;
  items.reserve(domains.size());
  for (const std::string& d : domains) items.push_back({hooks_.host_for(d), d});
  queue_->Add(std::move(items), max_entries,
              [this, alive = alive_, done = std::move(done)](storage::Status st,
                                                             storage::DurableQueue::AddResult r) {
                if (*alive && st.ok() && r.added > 0) Pump();
                done(std::move(st), r);
              });
}

void BackgroundLookups::LoadPrefetch(const std::string& host) {
  Loader& l = loaders_[host];
  auto it = queue_->groups().find(host);
  uint64_t durable = it == queue_->groups().end() ? 0 : it->second;
  if (l.loading || l.outstanding >= durable || plan_.prefetch_buffered(host) >= kPrefetchLowWater)
    return;
  l.loading = true;
  queue_->Peek(host, l.last_seq, kPrefetchBatch,
               [this, alive = alive_, host](storage::Status st,
                                            std::vector<storage::DurableQueue::Entry> entries) {
                 if (!*alive) return;
                 Loader& loader = loaders_[host];
                 loader.loading = false;
                 if (!st.ok()) {
                   spdlog::warn("prefetch queue: cannot read the entries for {}: {}", host,
                                st.ToString());
                   return;
                 }
                 for (auto& e : entries) {
                   loader.last_seq = std::max(loader.last_seq, e.seq);
                   ++loader.outstanding;
                   plan_.AddPrefetch(host, e.name, e.seq);
                 }
                 if (!entries.empty()) Pump();
               });
}

void BackgroundLookups::Pump() {
  if (closed_ || pumping_) return;
  pumping_ = true;
  for (const auto& [host, count] : queue_->groups()) LoadPrefetch(host);
  int64_t now = hooks_.clock();
  std::vector<BackgroundJob> jobs = plan_.Take(now, hooks_.cap_for);
  pumping_ = false;
  for (BackgroundJob& job : jobs) {
    BackgroundJob copy = job;
    hooks_.run(job, [this, alive = alive_, job = std::move(copy)](Result r) {
      if (*alive) OnJobDone(job, r);
    });
  }
  ArmTimer(now);
}

void BackgroundLookups::OnJobDone(const BackgroundJob& job, Result result) {
  const bool prefetch = job.kind == BackgroundKind::kPrefetch;
  int64_t now = hooks_.clock();
  if (result.outcome == Outcome::kLimited)
    plan_.Pause(job.host, now + std::max<int64_t>(result.retry_after_ms, 1000));
  if (prefetch && (result.outcome == Outcome::kLimited || result.outcome == Outcome::kCancelled)) {
    // Nothing was asked: the entry waits for its turn again (and survives a shutdown).
    if (!closed_) plan_.Requeue(job);
  } else {
    plan_.Finished(job);
  }
  if (prefetch && result.outcome != Outcome::kLimited && result.outcome != Outcome::kCancelled) {
    (result.outcome == Outcome::kFailed ? prefetch_failed_ : prefetch_done_)++;
    queue_->Remove(job.host, {job.seq, job.domain},
                   [this, alive = alive_, host = job.host](storage::Status st) {
                     if (!*alive) return;
                     if (!st.ok())
                       spdlog::warn("prefetch queue: cannot remove a finished entry: {}",
                                    st.ToString());
                     Loader& l = loaders_[host];
                     if (l.outstanding > 0) --l.outstanding;
                     Pump();
                   });
  }
  Pump();
}

void BackgroundLookups::ArmTimer(int64_t now_ms) {
  int64_t wake = plan_.NextWakeMs(now_ms);
  timer_.Stop();
  if (wake == INT64_MAX || closed_) return;
  timer_.Start(static_cast<uint64_t>(std::max<int64_t>(wake - now_ms, 1)), [this] { Pump(); });
}

BackgroundLookups::Figures BackgroundLookups::figures() const {
  Figures f;
  f.prefetch_running = plan_.running(BackgroundKind::kPrefetch);
  uint64_t size = prefetch_size();
  f.prefetch_queued = size > f.prefetch_running ? size - f.prefetch_running : 0;
  f.prefetch_done = prefetch_done_;
  f.prefetch_failed = prefetch_failed_;
  f.refreshes_queued =
      plan_.waiting(BackgroundKind::kStale) + plan_.waiting(BackgroundKind::kAhead);
  f.refreshes_running =
      plan_.running(BackgroundKind::kStale) + plan_.running(BackgroundKind::kAhead);
  // Per host: the durable queue's entries not running, plus refreshes waiting.
  if (queue_) {
    for (const auto& [host, count] : queue_->groups()) f.hosts[host].queued += count;
  }
  for (const auto& [host, view] : plan_.Hosts()) {
    HostFigures& h = f.hosts[host];
    h.running = view.running;
    // Running prefetch entries are still in the durable count.
    const size_t prefetching = view.running_by_kind[static_cast<size_t>(BackgroundKind::kPrefetch)];
    h.queued = (h.queued > prefetching ? h.queued - prefetching : 0) +
               view.waiting[static_cast<size_t>(BackgroundKind::kStale)] +
               view.waiting[static_cast<size_t>(BackgroundKind::kAhead)];
  }
  return f;
}

}  // namespace server
