// SharedRecords: the records a fleet of proxies shares, as the record service sees them. The
// record service asks it on a local miss before going upstream, and hands it every record it
// resolved or imported; hits never reach it. Loop thread only.
//
// RedisSharedRecords keeps them in the fleet's Redis through a FleetClient (fleet_record.h says
// where, fleet_record_codec.h in what form). Writes are fire-and-forget: a reply is never delayed
// by Redis, and a failed write is counted and reported (see below; the record is in the local
// store either way).
// At most `max_writes_in_flight` writes wait for Redis at once; more wait in a local queue (at
// most `max_queued_writes`, beyond which a write is dropped and counted as failed) and start,
// with their command timers, as earlier ones are answered: a pipelined import that outruns Redis
// then waits here instead of timing out in Redis's backlog. A write that fails for want of an
// answer drops the queue (counted as failed): Redis slow or gone would fail them the same way.
// Each write that failed for good (an error, no answer, or dropped) is reported with its domain
// through Options::on_write_failed, so the caller can keep the domain and share it later with
// Republish, which goes through the same window and queue.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/fleet/fleet_client.h"
#include "storage/fleet/fleet_record_codec.h"
#include "storage/fleet/fleet_script.h"
#include "storage/record.h"
#include "storage/status.h"

namespace storage::fleet {

class SharedRecords {
 public:
  virtual ~SharedRecords() = default;
  // The shared record of `domain` (fresh or not: the caller decides), NotFound, or an error
  // (Redis slow or gone, a value that does not decode). `done` runs later, on the loop.
  virtual void Fetch(const std::string& domain, std::function<void(Status, Record)> done) = 0;
  // Shares `rec` (nothing for a record SharedInFleet refuses, or one already expired).
  virtual void Publish(const std::string& domain, const Record& rec) = 0;
  // Lines for INFO ("name:value\r\n").
  virtual void AppendInfo(std::string* out) const = 0;
};

class RedisSharedRecords : public SharedRecords {
 public:
  struct Options {
    std::string prefix = "wp";
    int64_t stale_window_ms = 0;  // added to a record's remaining freshness
    int64_t max_ttl_ms = 30ll * 24 * 3600 * 1000;
    // Dictionaries the values may be compressed with (fleet_record_codec.h), and the id of the
    // one this proxy writes with (0: none, format 1).
    std::vector<FleetDictionary> dictionaries;
    uint8_t write_dictionary = 0;
    size_t max_writes_in_flight = 1024;
    size_t max_queued_writes = 100000;  // ~30 MB of compressed records
    // Called, on the loop, with the domain of each Publish write that failed for good: an error
    // or no answer from Redis, the client backing off, or dropped (the local queue full, or
    // dropped with it when Redis stopped answering). Never for Republish's writes, nor after
    // this object is destroyed. May be empty.
    std::function<void(const std::string& domain)> on_write_failed;
  };
  struct Stats {
    uint64_t fetch_hits = 0, fetch_misses = 0, fetch_errors = 0;
    uint64_t writes = 0, write_errors = 0, write_bytes = 0;
    uint64_t writes_in_flight = 0, writes_queued = 0;  // now
    uint64_t most_writes_in_flight = 0;                // ever
    uint64_t republished = 0;                          // Republish writes Redis acknowledged
    uint64_t republish_skipped = 0;  // Republish found a record in Redis as new or newer
  };
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds (records' times)

  // `client` outlives this object. A Fetch still pending when this object is destroyed never
  // runs its `done` (the client fails pending commands when it closes, after this is gone).
  RedisSharedRecords(FleetClient* client, Options options, Clock clock);
  ~RedisSharedRecords() override { *alive_ = false; }
  RedisSharedRecords(const RedisSharedRecords&) = delete;
  RedisSharedRecords& operator=(const RedisSharedRecords&) = delete;

  void Fetch(const std::string& domain, std::function<void(Status, Record)> done) override;
  void Publish(const std::string& domain, const Record& rec) override;
  void AppendInfo(std::string* out) const override;
  const Stats& stats() const { return stats_; }

  // Shares `rec` again after its Publish failed (the caller kept the domain), through the same
  // window of writes in flight and local queue as Publish. Redis's record of the domain is read
  // first and left alone when it was fetched at the same time or later (fetched_at_ms), or when
  // it cannot be decoded (a newer proxy's format); else `rec` is written only if the key still
  // holds what was read (one script, so a record another proxy writes meanwhile is never
  // overwritten). `done` runs once, on the loop, never after this object is destroyed (inside
  // this call when there is nothing to share or the local queue is full): OK when Redis now
  // holds `rec` (written: true) or a record at least as new, or when there is nothing to share
  // (a fallback, or expired); an error when Redis failed or the write was dropped (the caller
  // keeps the domain and tries again later).
  void Republish(const std::string& domain, const Record& rec,
                 std::function<void(Status, bool written)> done);

 private:
  struct Write {
    std::string domain, key, value;
    int64_t expires_at_ms;  // wall clock: the PX is computed when the write is sent
    int64_t fetched_at_ms;
    // Set for a Republish write: compared with Redis's record first, and answered here
    // instead of on_write_failed.
    std::function<void(Status, bool written)> republished;
  };
  bool Admit(Write write);
  void Send(Write write);
  void SendChecked(Write write);
  void WriteIfUnchanged(Write write, const Reply& seen);
  // A write in flight ended; `answered`: Redis replied (a failure for want of an answer drops
  // the queue).
  void Ended(bool answered);
  void Failed(const std::string& domain);
  void SendQueued();
  void DropQueued();

  FleetClient* client_;
  Options options_;
  FleetRecordCodec codec_;
  Clock clock_;
  FleetScript set_if_unchanged_;
  Stats stats_;
  std::deque<Write> queue_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage::fleet
