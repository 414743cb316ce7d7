#include "storage/fleet/shared_records.h"

#include <algorithm>

#include "storage/fleet/fleet_record.h"
#include "util/info_writer.h"

namespace storage::fleet {

namespace {

// Republish's write: SET only if the key still holds what was read (ARGV[1] "1" and the value
// ARGV[2]) or is still absent (ARGV[1] "0"). 1: written; 0: another proxy wrote meanwhile.
constexpr const char kSetIfUnchangedScript[] = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur then
  if ARGV[1] ~= '1' or cur ~= ARGV[2] then return 0 end
elseif ARGV[1] ~= '0' then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
)lua";

}  // namespace

RedisSharedRecords::RedisSharedRecords(FleetClient* client, Options options, Clock clock)
    : client_(client),
      options_(std::move(options)),
      codec_(std::move(options_.dictionaries), options_.write_dictionary),
      clock_(std::move(clock)),
      set_if_unchanged_(client, kSetIfUnchangedScript) {}

void RedisSharedRecords::Fetch(const std::string& domain,
                               std::function<void(Status, Record)> done) {
  client_->Command(
      {"GET", RecordKey(options_.prefix, domain)},
      [this, domain, done = std::move(done), alive = alive_](Status st, Reply reply) {
        if (!*alive) return;
        if (st.ok()) st = ErrorOf(reply);
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
  ++stats_.writes;
  if (Admit({domain, RecordKey(options_.prefix, domain), codec_.Encode(rec), now + ttl,
             rec.fetched_at_ms, nullptr}))
    return;
  ++stats_.write_errors;
  Failed(domain);
}

void RedisSharedRecords::Republish(const std::string& domain, const Record& rec,
                                   std::function<void(Status, bool)> done) {
  int64_t now = clock_();
  int64_t ttl = FleetExpiryMs(rec, now, options_.stale_window_ms, options_.max_ttl_ms);
  if (!SharedInFleet(rec) || ttl <= 0) return done(Status::OK(), false);
  ++stats_.writes;
  Write write{
      domain, RecordKey(options_.prefix, domain), codec_.Encode(rec), now + ttl, rec.fetched_at_ms,
      done};
  if (Admit(std::move(write))) return;
  ++stats_.write_errors;
  done(Status::IOError("the queue of " + std::to_string(options_.max_queued_writes) +
                       " writes waiting for Redis is full"),
       false);
}

bool RedisSharedRecords::Admit(Write write) {
  stats_.write_bytes += write.value.size();
  if (stats_.writes_in_flight < std::max<size_t>(1, options_.max_writes_in_flight)) {
    Send(std::move(write));
    return true;
  }
  if (queue_.size() >= options_.max_queued_writes) return false;
  queue_.push_back(std::move(write));
  stats_.writes_queued = queue_.size();
  return true;
}

void RedisSharedRecords::Send(Write write) {
  int64_t ttl = write.expires_at_ms - clock_();
  if (ttl <= 0) {  // expired while it waited: nothing left to share
    if (write.republished) write.republished(Status::OK(), false);
    return;
  }
  ++stats_.writes_in_flight;
  stats_.most_writes_in_flight = std::max(stats_.most_writes_in_flight, stats_.writes_in_flight);
  if (write.republished) return SendChecked(std::move(write));
  client_->Command(
      {"SET", std::move(write.key), std::move(write.value), "PX", std::to_string(ttl)},
      [this, alive = alive_, domain = std::move(write.domain)](Status st, Reply reply) {
        if (!*alive) return;  // this object is gone (see ~RedisSharedRecords)
        if (!st.ok() || reply.is_error()) {
          ++stats_.write_errors;
          Failed(domain);
        }
        Ended(st.ok());
      });
}

void RedisSharedRecords::SendChecked(Write write) {
  std::string key = write.key;
  client_->Command({"GET", std::move(key)}, [this, alive = alive_, write = std::move(write)](
                                                Status st, Reply reply) mutable {
    if (!*alive) return;
    const bool answered = st.ok();
    if (st.ok()) st = ErrorOf(reply);
    if (st.ok() && !reply.is_nil() && reply.type != Reply::Type::kString)
      st = Status::Corruption("Redis: the record of " + write.domain + " is not a string");
    if (!st.ok()) {
      ++stats_.write_errors;
      write.republished(st, false);
      return Ended(answered);
    }
    if (!reply.is_nil()) {
      Record theirs;
      // A value this proxy cannot read is left alone: most likely a newer proxy's format.
      if (!codec_.Decode(reply.str, &theirs).ok() || theirs.fetched_at_ms >= write.fetched_at_ms) {
        ++stats_.republish_skipped;
        write.republished(Status::OK(), false);
        return Ended(true);
      }
    }
    WriteIfUnchanged(std::move(write), reply);
  });
}

void RedisSharedRecords::WriteIfUnchanged(Write write, const Reply& seen) {
  int64_t ttl = write.expires_at_ms - clock_();
  if (ttl <= 0) {
    write.republished(Status::OK(), false);
    return Ended(true);
  }
  std::string key = write.key;
  std::string value = std::move(write.value);
  set_if_unchanged_.Run(
      {std::move(key)},
      {seen.is_nil() ? "0" : "1", seen.is_nil() ? std::string() : seen.str, std::move(value),
       std::to_string(ttl)},
      [this, alive = alive_, write = std::move(write)](Status st, Reply reply) {
        if (!*alive) return;
        const bool answered = st.ok();
        if (st.ok()) st = ErrorOf(reply);
        if (!st.ok()) {
          ++stats_.write_errors;
          write.republished(st, false);
          return Ended(answered);
        }
        bool written = reply.type == Reply::Type::kInteger && reply.integer == 1;
        if (written) {
          ++stats_.republished;
        } else {
          ++stats_.republish_skipped;  // another proxy wrote it meanwhile: theirs is newer
        }
        write.republished(Status::OK(), written);
        Ended(true);
      });
}

void RedisSharedRecords::Ended(bool answered) {
  --stats_.writes_in_flight;
  if (answered) return SendQueued();
  // Redis slow or gone (or the client closed): the waiting writes would fail the same way, and
  // must not start once this object may be gone.
  DropQueued();
}

void RedisSharedRecords::Failed(const std::string& domain) {
  if (options_.on_write_failed) options_.on_write_failed(domain);
}

void RedisSharedRecords::DropQueued() {
  std::deque<Write> dropped;
  dropped.swap(queue_);
  stats_.writes_queued = 0;
  stats_.write_errors += dropped.size();
  for (Write& write : dropped) {
    if (write.republished) {
      write.republished(Status::IOError("Redis stopped answering before the write was sent"),
                        false);
    } else {
      Failed(write.domain);
    }
  }
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
  util::InfoWriter info(out);
  info.Field("fleet_record_fetch_hits", stats_.fetch_hits);
  info.Field("fleet_record_fetch_misses", stats_.fetch_misses);
  info.Field("fleet_record_fetch_errors", stats_.fetch_errors);
  info.Field("fleet_record_writes", stats_.writes);
  info.Field("fleet_record_write_errors", stats_.write_errors);
  info.Field("fleet_record_writes_in_flight", stats_.writes_in_flight);
  info.Field("fleet_record_writes_queued", stats_.writes_queued);
  info.Field("fleet_record_republish_skipped", stats_.republish_skipped);
}

}  // namespace storage::fleet
