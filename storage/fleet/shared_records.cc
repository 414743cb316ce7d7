#include "storage/fleet/shared_records.h"

#include <algorithm>

#include "storage/fleet/fleet_record.h"

namespace storage::fleet {

RedisSharedRecords::RedisSharedRecords(FleetClient* client, Options options, Clock clock)
    : client_(client),
      options_(std::move(options)),
      codec_(std::move(options_.dictionaries), options_.write_dictionary),
      clock_(std::move(clock)) {}

void RedisSharedRecords::Fetch(const std::string& domain,
                               std::function<void(Status, Record)> done) {
  client_->Command(
      {"GET", RecordKey(options_.prefix, domain)},
      [this, domain, done = std::move(done), alive = alive_](Status st, Reply reply) {
        if (!*alive) return;
        if (st.ok() && reply.is_error()) st = Status::IOError("Redis: " + reply.str);
        Record rec;
        if (st.ok() && reply.is_nil()) {
          ++stats_.fetch_misses;
          return done(Status::NotFound(domain), {});
        }
        if (st.ok() && reply.type != Reply::Type::kString)
          st = Status::Corruption("Redis: the record of " + domain + " is not a string");
        if (st.ok()) st = codec_.Decode(reply.str, &rec);
        if (!st.ok()) {
          ++stats_.fetch_errors;
          return done(st, {});
        }
        ++stats_.fetch_hits;
        done(Status::OK(), std::move(rec));
      });
}

void RedisSharedRecords::Publish(const std::string& domain, const Record& rec) {
  if (!SharedInFleet(rec)) return;
  int64_t now = clock_();
  int64_t ttl = FleetExpiryMs(rec, now, options_.stale_window_ms, options_.max_ttl_ms);
  if (ttl <= 0) return;
  Write write{RecordKey(options_.prefix, domain), codec_.Encode(rec), now + ttl};
  stats_.write_bytes += write.value.size();
  ++stats_.writes;
  if (stats_.writes_in_flight < std::max<size_t>(1, options_.max_writes_in_flight))
    return Send(std::move(write));
  if (queue_.size() >= options_.max_queued_writes) {
    ++stats_.write_errors;
    return;
  }
  queue_.push_back(std::move(write));
  stats_.writes_queued = queue_.size();
}

void RedisSharedRecords::Send(Write write) {
  int64_t ttl = write.expires_at_ms - clock_();
  if (ttl <= 0) return;  // expired while it waited: nothing left to share
  ++stats_.writes_in_flight;
  stats_.most_writes_in_flight = std::max(stats_.most_writes_in_flight, stats_.writes_in_flight);
  client_->Command({"SET", std::move(write.key), std::move(write.value), "PX", std::to_string(ttl)},
                   [this, alive = alive_](Status st, Reply reply) {
                     if (!*alive) return;  // this object is gone (see ~RedisSharedRecords)
                     --stats_.writes_in_flight;
                     if (!st.ok() || reply.is_error()) ++stats_.write_errors;
                     if (st.ok()) return SendQueued();
                     // Redis slow or gone (or the client closed): the waiting writes would
                     // fail the same way, and must not start once this object may be gone.
                     DropQueued();
                   });
}

void RedisSharedRecords::DropQueued() {
  stats_.write_errors += queue_.size();
  queue_.clear();
  stats_.writes_queued = 0;
}

void RedisSharedRecords::SendQueued() {
  while (!queue_.empty() &&
         stats_.writes_in_flight < std::max<size_t>(1, options_.max_writes_in_flight)) {
    Write write = std::move(queue_.front());
    queue_.pop_front();
    stats_.writes_queued = queue_.size();
    Send(std::move(write));
  }
}

void RedisSharedRecords::AppendInfo(std::string* out) const {
  auto field = [out](std::string_view name, uint64_t v) {
    *out += name;
    *out += ':';
    *out += std::to_string(v);
    *out += "\r\n";
  };
  field("fleet_record_fetch_hits", stats_.fetch_hits);
  field("fleet_record_fetch_misses", stats_.fetch_misses);
  field("fleet_record_fetch_errors", stats_.fetch_errors);
  field("fleet_record_writes", stats_.writes);
  field("fleet_record_write_errors", stats_.write_errors);
  field("fleet_record_writes_in_flight", stats_.writes_in_flight);
  field("fleet_record_writes_queued", stats_.writes_queued);
}

}  // namespace storage::fleet
