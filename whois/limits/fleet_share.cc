#include "whois/limits/fleet_share.h"

#include <algorithm>

namespace whois::limits {
namespace {

int64_t Divide(int64_t count, int64_t proxies) {
  return count > 0 ? std::max<int64_t>(1, count / proxies) : 0;
}

}  // namespace

LimitSpec LocalShare(const LimitSpec& spec, int64_t proxies) {
  proxies = std::max<int64_t>(1, proxies);
  LimitSpec share = spec;
  share.concurrency = Divide(spec.concurrency, proxies);
  share.burst = Divide(spec.burst, proxies);
  for (RateLimit& r : share.rates) r.count = Divide(r.count, proxies);
  share.daily = 0;
  return share;
}

int64_t LocalDailyShare(int64_t daily, int64_t used, int64_t proxies) {
  if (daily <= 0 || used >= daily) return 0;
  return Divide(daily - used, std::max<int64_t>(1, proxies));
}

void ShareLedger::OnLocalStart(int64_t now_ms, int64_t keep_ms) {
  while (!recent_.empty() && recent_.front() <= now_ms - keep_ms) recent_.pop_front();
  recent_.push_back(now_ms);
  ++daily_;
}

ShareLedger::Carry ShareLedger::TakeCarry(int64_t now_ms, int64_t longest_window_ms) {
  Carry c;
  for (int64_t t : recent_) c.window_starts += t > now_ms - longest_window_ms ? 1 : 0;
  c.daily_starts = daily_;
  recent_.clear();
  daily_ = 0;
  return c;
}

void ShareLedger::PutBack(const Carry& carry, int64_t now_ms) {
  for (int64_t i = 0; i < carry.window_starts; ++i) recent_.push_back(now_ms);
  daily_ += carry.daily_starts;
}

}  // namespace whois::limits
