// SharedRecords: the records a fleet of proxies shares, as the record service sees them. The
// record service asks it on a local miss before going upstream, and hands it every record it
// resolved or imported; hits never reach it. Loop thread only.
//
// RedisSharedRecords keeps them in the fleet's Redis through a FleetClient (fleet_record.h says
// where, fleet_record_codec.h in what form). Writes are fire-and-forget: a reply is never delayed
// by Redis, and a failed write is only counted (the record is in the local store either way).
// At most `max_writes_in_flight` writes wait for Redis at once; more wait in a local queue (at
// most `max_queued_writes`, beyond which a write is dropped and counted as failed) and start,
// with their command timers, as earlier ones are answered: a pipelined import that outruns Redis
// then waits here instead of timing out in Redis's backlog. A write that fails for want of an
// answer drops the queue (counted as failed): Redis slow or gone would fail them the same way.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/fleet/fleet_client.h"
#include "storage/fleet/fleet_record_codec.h"
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
  };
  struct Stats {
    uint64_t fetch_hits = 0, fetch_misses = 0, fetch_errors = 0;
    uint64_t writes = 0, write_errors = 0, write_bytes = 0;
    uint64_t writes_in_flight = 0, writes_queued = 0;  // now
    uint64_t most_writes_in_flight = 0;                // ever
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

 private:
  struct Write {
    std::string key, value;
    int64_t expires_at_ms;  // wall clock: the PX is computed when the write is sent
  };
  void Send(Write write);
  void SendQueued();
  void DropQueued();

  FleetClient* client_;
  Options options_;
  FleetRecordCodec codec_;
  Clock clock_;
  Stats stats_;
  std::deque<Write> queue_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage::fleet
