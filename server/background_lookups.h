// BackgroundLookups: runs the lookups no client waits for, per upstream host, in the budget
// clients leave: refreshes of stale records clients were served, the durable prefetch queue
// (WHOIS.PREFETCH) and refreshes ahead of staleness. The order and the per-host cap are
// BackgroundPlan's (pure); this shell feeds it from the durable queue (storage::DurableQueue
// under "p:"), runs its jobs through a hook the RecordService provides, removes finished
// prefetch entries from the queue, and keeps a timer for hosts that asked us to wait. Loop
// thread only.
//
// A prefetch entry leaves the durable queue only when its job has ended (done, failed or not
// needed); a job our own limits refused, or one cut short by shutdown, stays queued. So a
// restart or kill -9 replays at most the jobs that were running.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/background_plan.h"
#include "storage/durable_queue.h"
#include "storage/record_store.h"
#include "util/status.h"
#include "util/uv_timer.h"

namespace server {

class BackgroundLookups {
 public:
  enum class Outcome {
    kDone,       // a registry answered (registered or not_found)
    kFailed,     // the lookup ended in a fallback
    kSkipped,    // not needed any more (fresh by now, deleted, backing off)
    kLimited,    // our limits for the host said "not before retry_after_ms": nothing was asked
    kCancelled,  // shutdown
  };
  struct Result {
    Outcome outcome = Outcome::kDone;
    int64_t retry_after_ms = 0;  // kLimited
  };
  struct Hooks {
    std::function<int64_t()> clock;  // wall-clock milliseconds
    // The upstream host whose limits a lookup of `domain` spends first.
    std::function<std::string(const std::string& domain)> host_for;
    // How many background lookups may run at once against `host`.
    std::function<size_t(const std::string& host)> cap_for;
    // Runs one job and calls `done` exactly once, never from inside the call.
    std::function<void(const BackgroundJob& job, std::function<void(Result)> done)> run;
  };

  // `store` outlives this object. The prefetch queue lives under kPrefetchPrefix.
  BackgroundLookups(uv_loop_t* loop, storage::RecordStore* store, Hooks hooks);
  ~BackgroundLookups();
  BackgroundLookups(const BackgroundLookups&) = delete;
  BackgroundLookups& operator=(const BackgroundLookups&) = delete;

  static constexpr std::string_view kPrefetchPrefix = "p:";

  // Reads the durable queue's counts; runs the loop until done (call before listening). Returns
  // OK, or IOError whose message is for the user.
  util::Status Open();
  // Stops starting jobs; jobs still running report back as cancelled and stay queued.
  void Close();

  // Queues a refresh of `domain` (kStale or kAhead). False if it could not be queued (one is
  // already waiting or running, or the host's lane is full).
  bool Refresh(const std::string& domain, BackgroundKind kind);
  // Adds normalised domains to the durable prefetch queue (all or none, see DurableQueue::Add).
  void Prefetch(const std::vector<std::string>& domains, uint64_t max_entries,
                std::function<void(storage::Status, storage::DurableQueue::AddResult)> done);

  struct HostFigures {
    uint64_t queued = 0;  // prefetch entries and refreshes waiting
    uint64_t running = 0;
  };
  struct Figures {
    uint64_t prefetch_queued = 0;  // in the durable queue and not running
    uint64_t prefetch_running = 0;
    uint64_t prefetch_done = 0;    // since start (answered, or not needed any more)
    uint64_t prefetch_failed = 0;  // since start
    uint64_t refreshes_queued = 0;
    uint64_t refreshes_running = 0;
    std::map<std::string, HostFigures> hosts;
  };
  Figures figures() const;
  // Entries in the durable queue (waiting or running).
  uint64_t prefetch_size() const { return queue_ ? queue_->size() : 0; }

 private:
  void Pump();
  void LoadPrefetch(const std::string& host);
  void OnJobDone(const BackgroundJob& job, Result result);
  void ArmTimer(int64_t now_ms);

  uv_loop_t* loop_;
  storage::RecordStore* store_;
  Hooks hooks_;
  std::unique_ptr<storage::DurableQueue> queue_;
  BackgroundPlan plan_;
  struct Loader {
    uint64_t last_seq = 0;     // entries up to here are in the plan (or ended)
    uint64_t outstanding = 0;  // loaded and not yet removed from the durable queue
    bool loading = false;
  };
  std::map<std::string, Loader> loaders_;  // by host
  uint64_t prefetch_done_ = 0, prefetch_failed_ = 0;
  util::UvTimer timer_;
  bool closed_ = false;
  bool pumping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace server
