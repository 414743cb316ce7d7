#include "server/slow_log.h"

namespace server {

void SlowLog::Record(std::span<const std::string_view> args, int64_t duration_us,
                     int64_t unix_time_s, std::string_view client_addr,
                     std::string_view client_name, int64_t slower_than_us, size_t max_len) {
  if (slower_than_us < 0 || duration_us < slower_than_us) return;
  SlowLogEntry e;
  e.id = next_id_++;
  e.unix_time_s = unix_time_s;
  e.duration_us = duration_us;
  e.client_addr = client_addr;
  e.client_name = client_name;
  size_t kept = args.size() > kMaxArgs ? kMaxArgs - 1 : args.size();
  for (size_t i = 0; i < kept; ++i) {
    std::string_view a = args[i];
    if (a.size() > kMaxArgBytes) {
      e.args.push_back(std::string(a.substr(0, kMaxArgBytes)) + "... (" +
                       std::to_string(a.size() - kMaxArgBytes) + " more bytes)");
    } else {
      e.args.emplace_back(a);
    }
  }
  if (kept < args.size())
    e.args.push_back("... (" + std::to_string(args.size() - kept) + " more arguments)");
  entries_.push_front(std::move(e));
  Trim(max_len);
}

void SlowLog::Trim(size_t max_len) {
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<const SlowLogEntry*> SlowLog::Newest(int64_t count) const {
  size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), static_cast<size_t>(count));
  std::vector<const SlowLogEntry*> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(&entries_[i]);
  return out;
}

}  // namespace server
