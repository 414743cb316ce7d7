// A `scope all` budget held by a fleet of proxies (issue 17), the pure parts: the local share a
// proxy runs on while the fleet's Redis is slow or gone, and what it hands back to the fleet's
// windows when Redis answers again. Pure: no clock, no I/O.
//
// Local share: every count of the spec (each window's, the burst, the concurrency) divided by
// the number of proxies seen alive at the last heartbeat, rounded down but at least 1; so the
// fleet together spends at most its limit (plus one per window for each proxy whose share
// rounds up to 1), and no proxy ever runs on the whole limit when others are alive. The daily
// cap is the caller's (LocalDailyShare): the day's units still unused when Redis was last
// heard from, divided alike.
//
// ShareLedger: what a proxy started on its local share, for the conservative restart when
// Redis answers again (server/fleet_budgets.h): whether a host needs its fleet windows filled,
// and how many units to add to the fleet's day count.
#pragma once

#include <cstdint>
#include <deque>

#include "whois/limits/limit_spec.h"

namespace whois::limits {

// `spec`'s counts divided by `proxies` (at least 1), each at least 1 where it was set; the
// daily cap is dropped (see LocalDailyShare). Scope and windows are kept.
LimitSpec LocalShare(const LimitSpec& spec, int64_t proxies);

// Units of a `daily` cap one of `proxies` may use on its own when the fleet had counted `used`
// of them: the rest divided by the proxies, at least 1 while any is left, else 0. Only
// meaningful with a cap (daily > 0).
int64_t LocalDailyShare(int64_t daily, int64_t used, int64_t proxies);

class ShareLedger {
 public:
  // A start made on the local share at now_ms; starts older than `keep_ms` (the longest
  // window) are forgotten by the window count.
  void OnLocalStart(int64_t now_ms, int64_t keep_ms);

  struct Carry {
    int64_t window_starts = 0;  // local starts within the longest window ending at now_ms
    int64_t daily_starts = 0;   // local starts since the last carry
    bool empty() const { return window_starts == 0 && daily_starts == 0; }
  };
  // What to add to the fleet's windows at now_ms (see the file comment), and forgets it.
  Carry TakeCarry(int64_t now_ms, int64_t longest_window_ms);
  // A carry that could not be stored comes back, its window starts as made at now_ms (later
  // than they were: conservative).
  void PutBack(const Carry& carry, int64_t now_ms);
  bool empty() const { return recent_.empty() && daily_ == 0; }

 private:
  std::deque<int64_t> recent_;
  int64_t daily_ = 0;
};

}  // namespace whois::limits
