// FleetBacklog: the domains whose record this proxy stored but could not share with the fleet
// (RedisSharedRecords reported the write failed: Redis slow or gone, an error, or a write dropped
// from the full local queue), kept in a durable queue (storage::DurableQueue under "f:", one
// group) so that they survive a restart and a kill -9, and shared once Redis answers again.
//
// Draining: on Resume (the fleet's client saw Redis answer again), and on a timer while entries
// wait and Redis is reachable, entries are read kBatch at a time; each domain's record is read
// from the local store now (it may have changed or been deleted since: what is there now is
// shared, a domain with no record is dropped) and shared with RedisSharedRecords::Republish,
// through the writes' bounded window, so the backlog never bursts past max_writes_in_flight and
// never overwrites a newer record in Redis. An entry is removed only once Redis acknowledged it
// (or held a record as new, or there was nothing to share); the first failure stops the drain
// after the batch, and the entries wait for the next return. A domain whose write fails again
// while its entry is being drained is queued again after the entry is removed.
//
// Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/durable_queue.h"
#include "storage/fleet/shared_records.h"
#include "storage/record_store.h"
#include "util/status.h"
#include "util/uv_timer.h"

namespace server {

class FleetBacklog {
 public:
  static constexpr std::string_view kPrefix = "f:";
  // Entries read and shared at a time: the window (max_writes_in_flight) bounds the writes in
  // flight; this bounds what waits in memory and the work lost to a failure.
  static constexpr size_t kBatch = 256;
  // At most this many domains wait: a day of misses at a busy proxy (~100 bytes each in the
  // store). The failed writes of a loop turn that would take it past this are only counted
  // (fleet_backlog_dropped): their records stay in the local store, and the others resolve
  // them upstream again.
  static constexpr uint64_t kMaxEntries = 1'000'000;
  // While entries wait and Redis is reachable (a failed write with Redis answering, e.g. an
  // error reply), the drain is tried again this often.
  static constexpr uint64_t kRetryMs = 5000;

  // `store` and `shared` outlive this object; `reachable` says whether the fleet's client
  // currently takes Redis for reachable (FleetClient::reachable). `max_entries`: kMaxEntries
  // but in tests.
  FleetBacklog(uv_loop_t* loop, storage::RecordStore* store,
               storage::fleet::RedisSharedRecords* shared, std::function<bool()> reachable,
               uint64_t max_entries = kMaxEntries);
  ~FleetBacklog();
  FleetBacklog(const FleetBacklog&) = delete;
  FleetBacklog& operator=(const FleetBacklog&) = delete;

  // Reads the queue's counts, running the loop until they are read (call before the server
  // listens), and starts draining what a previous run left. IOError with a message for the
  // user if the store cannot be read.
  util::Status Open();
  // Stops draining (writes in flight finish; their entries stay unless acknowledged).
  void Close();

  // The write of `domain`'s record failed for good: queue it (once, however often it fails), with
  // the others of this loop turn, in one store transaction (at once after Close).
  void Add(const std::string& domain);
  // Redis answers again: drain now.
  void Resume();

  uint64_t size() const { return queue_ ? queue_->size() : 0; }
  uint64_t shared() const { return shared_count_; }
  uint64_t dropped() const { return dropped_; }
  // INFO lines ("name:value\r\n"): fleet_backlog, fleet_backlog_shared, fleet_backlog_dropped.
  void AppendInfo(std::string* out) const;

 private:
  struct Batch;
  void NextBatch();
  void Share(storage::DurableQueue::Entry entry, std::shared_ptr<Batch> batch);
  void Finish(const storage::DurableQueue::Entry& entry, bool ok, bool written,
              const std::shared_ptr<Batch>& batch);
  void BatchDone(const Batch& batch);
  void ArmRetry();
  // Queues what Add collected, in one store transaction.
  void Flush();

  uv_loop_t* loop_;
  storage::RecordStore* store_;
  storage::fleet::RedisSharedRecords* records_;
  std::function<bool()> reachable_;
  const uint64_t max_entries_;
  std::unique_ptr<storage::DurableQueue> queue_;
  util::UvTimer retry_;
  // Add collects the domains of one loop turn and Flush queues them at once: while Redis is
  // gone every write fails, and one transaction per record would crowd the store's worker.
  std::vector<storage::DurableQueue::Item> adding_;
  util::UvTimer flush_;
  bool draining_ = false;
  bool closed_ = false;
  bool full_logged_ = false;
  uint64_t shared_count_ = 0;
  uint64_t dropped_ = 0;
  // Domains of the batch being drained, and those of them whose write failed again meanwhile.
  std::unordered_set<std::string> draining_names_;
  std::unordered_set<std::string> failed_again_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace server
