#include "server/fleet_backlog.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "server/open_before_listening.h"
#include "util/info_writer.h"

namespace server {
namespace {

// The one group of the durable queue: the backlog has no per-host order.
constexpr char kGroup[] = "fleet";

}  // namespace

struct FleetBacklog::Batch {
  size_t pending = 0;
  bool failed = false;
};

FleetBacklog::FleetBacklog(uv_loop_t* loop, storage::RecordStore* store,
                           storage::fleet::RedisSharedRecords* shared,
                           std::function<bool()> reachable, uint64_t max_entries)
    : loop_(loop),
      store_(store),
      records_(shared),
      reachable_(std::move(reachable)),
      max_entries_(max_entries),
      retry_(loop),
      flush_(loop) {}

FleetBacklog::~FleetBacklog() { *alive_ = false; }

util::Status FleetBacklog::Open() {
  queue_ = std::make_unique<storage::DurableQueue>(store_, std::string(kPrefix));
  util::Status status = OpenQueueBeforeListening(loop_, queue_.get(), "fleet backlog");
  if (!status.ok()) return status;
  if (queue_->size() > 0) {
    spdlog::info("fleet: {} records wait to be shared (written to Redis once it answers)",
                 queue_->size());
    Resume();
  }
  return util::Status::OK();
}

void FleetBacklog::Close() {
  closed_ = true;
  retry_.Stop();
  // Writes failed at shutdown are kept for the next run (the store is still open).
  Flush();
}

void FleetBacklog::Add(const std::string& domain) {
  if (!queue_) return;
  if (draining_names_.count(domain)) failed_again_.insert(domain);
  adding_.push_back({kGroup, domain});
  if (closed_) return Flush();
  if (!flush_.pending()) flush_.Start(0, [this] { Flush(); });
}

void FleetBacklog::Flush() {
  flush_.Stop();
  if (adding_.empty()) return;
  std::vector<storage::DurableQueue::Item> items;
  items.swap(adding_);
  const uint64_t count = items.size();
  queue_->Add(
      std::move(items), max_entries_,
      [this, alive = alive_, count](storage::Status st, storage::DurableQueue::AddResult r) {
        if (!*alive) return;
        if (!st.ok()) {
          dropped_ += count;
          spdlog::warn("fleet: cannot keep {} records to share later: {}", count, st.ToString());
          return;
        }
        if (r.full) {
          dropped_ += count;
          // Logged once each time it fills, not per record.
          if (!full_logged_)
            spdlog::warn(
                "fleet: the backlog of records to share holds its limit of {} domains; "
                "records that cannot be shared meanwhile stay local only",
                max_entries_);
          full_logged_ = true;
          return;
        }
        full_logged_ = false;
        ArmRetry();
      });
}

void FleetBacklog::Resume() {
  if (closed_ || draining_ || !queue_ || queue_->size() == 0) return;
  draining_ = true;
  retry_.Stop();
  NextBatch();
}

void FleetBacklog::ArmRetry() {
  if (closed_ || draining_ || retry_.pending()) return;
  retry_.Start(kRetryMs, [this] {
    // While Redis is unreachable the heartbeat finds its return, which calls Resume.
    if (reachable_()) Resume();
    if (!draining_ && size() > 0) ArmRetry();
  });
}

void FleetBacklog::NextBatch() {
  queue_->Peek(kGroup, 0, kBatch,
               [this, alive = alive_](storage::Status st,
                                      std::vector<storage::DurableQueue::Entry> entries) {
                 if (!*alive) return;
                 if (!st.ok()) spdlog::warn("fleet: cannot read the backlog: {}", st.ToString());
                 if (!st.ok() || entries.empty() || closed_) {
                   draining_ = false;
                   if (!st.ok()) ArmRetry();
                   return;
                 }
                 auto batch = std::make_shared<Batch>();
                 batch->pending = entries.size();
                 for (const auto& e : entries) draining_names_.insert(e.name);
                 for (auto& e : entries) Share(std::move(e), batch);
               });
}

void FleetBacklog::Share(storage::DurableQueue::Entry entry, std::shared_ptr<Batch> batch) {
  std::string domain = entry.name;
  store_->Get(domain, [this, alive = alive_, entry = std::move(entry), batch = std::move(batch)](
                          storage::Status st, storage::Record rec) {
    if (!*alive) return;
    // Deleted since: nothing left to share.
    if (st.IsNotFound()) return Finish(entry, true, false, batch);
    if (!st.ok() || closed_) {
      if (!st.ok())
        spdlog::warn("fleet: cannot read {} to share it: {}", entry.name, st.ToString());
      return Finish(entry, false, false, batch);
    }
    records_->Republish(entry.name, rec,
                        [this, alive, entry, batch](storage::Status shared, bool written) {
                          if (*alive) Finish(entry, shared.ok(), written, batch);
                        });
  });
}

void FleetBacklog::Finish(const storage::DurableQueue::Entry& entry, bool ok, bool written,
                          const std::shared_ptr<Batch>& batch) {
  draining_names_.erase(entry.name);
  if (!ok) batch->failed = true;
  if (ok) {
    if (written) ++shared_count_;
    bool again = failed_again_.erase(entry.name) > 0;
    // Issued before the next Peek, which therefore no longer sees it (one worker, in order).
    queue_->Remove(
        kGroup, entry, [this, alive = alive_, name = entry.name, again](storage::Status st) {
          if (!*alive) return;
          if (!st.ok())
            spdlog::warn("fleet: cannot remove {} from the backlog: {}", name, st.ToString());
          // Its write failed again while it was drained: it still waits to be shared.
          if (again) Add(name);
        });
  } else {
    failed_again_.erase(entry.name);
  }
  if (--batch->pending == 0) BatchDone(*batch);
}

void FleetBacklog::BatchDone(const Batch& batch) {
  if (batch.failed || closed_) {
    draining_ = false;
    if (!closed_) ArmRetry();
    return;
  }
  NextBatch();
}

void FleetBacklog::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("fleet_backlog", size());
  info.Field("fleet_backlog_shared", shared_count_);
  info.Field("fleet_backlog_dropped", dropped_);
}

}  // namespace server
