// The slow log: the most recent commands whose execution took at least `slowlog-log-slower-than`
// microseconds, as Redis keeps it (SLOWLOG GET/LEN/RESET). Pure: the caller measures the time
// and passes the wall clock in. Loop thread only.
//
// As in Redis, an entry keeps at most kMaxArgs arguments (the last one then says how many more
// there were) of at most kMaxArgBytes bytes each, so that a huge SET cannot make the log large.
// What is measured is the command's run on the loop, not the time a GET then waits for an
// upstream server (that is the lookup latency histogram in /metrics), as Redis leaves out the
// time a blocking command waits.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace server {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;  // trimmed as described above
  std::string client_addr;        // "ip:port"
  std::string client_name;
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Records the command if `slower_than_us` is not negative and `duration_us` is at least it
  // (0 logs every command), then keeps the newest `max_len` entries.
  void Record(std::span<const std::string_view> args, int64_t duration_us, int64_t unix_time_s,
              std::string_view client_addr, std::string_view client_name, int64_t slower_than_us,
              size_t max_len);
  // Drops the oldest entries beyond `max_len` (CONFIG SET slowlog-max-len).
  void Trim(size_t max_len);
  // Newest first; `count` < 0 means all.
  std::vector<const SlowLogEntry*> Newest(int64_t count) const;
  size_t size() const { return entries_.size(); }
  // Entries ever recorded (Reset keeps the count, as Redis keeps its ids).
  uint64_t recorded() const { return next_id_; }
  void Reset() { entries_.clear(); }

 private:
  std::deque<SlowLogEntry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

}  // namespace server
