#include "storage/fleet/shared_records.h"

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
      [this, domain, done = std::move(done)](Status st, Reply reply) {
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
  int64_t ttl = FleetExpiryMs(rec, clock_(), options_.stale_window_ms, options_.max_ttl_ms);
  if (ttl <= 0) return;
  std::string value = codec_.Encode(rec);
  stats_.write_bytes += value.size();
  ++stats_.writes;
  client_->Command(
      {"SET", RecordKey(options_.prefix, domain), std::move(value), "PX", std::to_string(ttl)},
      [this](Status st, Reply reply) {
        if (!st.ok() || reply.is_error()) ++stats_.write_errors;
      });
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
}

}  // namespace storage::fleet
