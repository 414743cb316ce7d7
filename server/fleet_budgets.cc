#include "server/fleet_budgets.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/info_writer.h"

namespace server {

namespace limits = whois::limits;
using storage::Status;
using storage::fleet::AcquireVerdict;
using storage::fleet::Reply;

namespace {

// The script's view of a spec: every window with its jitter margin (limits/limit_spec.h), as
// the local budget enforces it. A token bucket's rate is shared as an exact window: a burst is
// this proxy's alone.
storage::fleet::FleetLimits ToFleetLimits(const limits::LimitSpec& spec,
                                          const FleetBudgets::Options& options) {
  storage::fleet::FleetLimits out;
  for (const limits::RateLimit& r : spec.rates) {
    out.rates.push_back({r.count, r.window_ms + limits::JitterMarginMs(r.window_ms)});
  }
  out.concurrency = spec.concurrency;
  out.daily = spec.daily;
  out.utc_day = spec.day == limits::DayKind::kUtcDay;
  out.slot_ttl_ms = options.slot_ttl_ms;
  out.unsent_hold_ms = options.unsent_hold_ms;
  return out;
}

int64_t LongestWindow(const storage::fleet::FleetLimits& l) {
  int64_t longest = 0;
  for (const auto& r : l.rates) longest = std::max(longest, r.window_ms);
  return longest;
}

}  // namespace

FleetBudgets::FleetBudgets(uv_loop_t* loop, storage::fleet::FleetClient* client, Options options,
                           Clock clock)
    : loop_(loop),
      options_(std::move(options)),
      clock_(std::move(clock)),
      acquire_(client, storage::fleet::kAcquireScript),
      finish_(client, storage::fleet::kFinishScript),
      carry_(client, storage::fleet::kCarryScript),
      // Unique across the fleet (names are) and across restarts of this proxy.
      token_prefix_(options_.node_name + "/" + std::to_string(clock_()) + "/") {}

FleetBudgets::~FleetBudgets() { *alive_ = false; }

bool FleetBudgets::Holds(const limits::LimitSpec& spec) const {
  return spec.scope.kind == limits::ScopeKind::kAll;
}

std::string FleetBudgets::NextToken() { return token_prefix_ + std::to_string(++next_token_); }

FleetBudgets::Host& FleetBudgets::HostFor(const std::string& host, const limits::LimitSpec& spec) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) {
    auto h = std::make_unique<Host>();
    h->name = host;
    h->spec = spec;
    h->limits = ToFleetLimits(spec, options_);
    h->keys = storage::fleet::FleetBudgetKeys(options_.prefix, host);
    h->daily_share_left = limits::LocalDailyShare(spec.daily, 0, proxies_);
    h->timer = std::make_unique<util::UvTimer>(loop_);
    it = hosts_.emplace(host, std::move(h)).first;
  } else if (!(it->second->spec == spec)) {
    it->second->spec = spec;
    it->second->limits = ToFleetLimits(spec, options_);
  }
  return *it->second;
}

void FleetBudgets::Acquire(const std::string& host, const limits::LimitSpec& spec,
                           int64_t deadline_ms, std::function<void(Grant)> granted,
                           Refused refused) {
  Host& h = HostFor(host, spec);
  h.queue.push_back({deadline_ms, std::move(granted), std::move(refused)});
  // Never from inside Acquire: the head is served on the next loop turn at the earliest.
  if (!h.asking && h.queue.size() == 1) Wait(h, 0);
}

void FleetBudgets::Wait(Host& h, int64_t delay_ms) {
  h.timer->Start(static_cast<uint64_t>(std::max<int64_t>(0, delay_ms)), [this, &h] { Serve(h); });
}

void FleetBudgets::Refuse(Host& h, limits::RejectReason reason, int64_t retry_ms, std::string why) {
  Waiter w = std::move(h.queue.front());
  h.queue.pop_front();
  ++stats_.refusals;
  limits::Rejection r;
  r.reason = reason;
  r.retry_after_s = std::max<int64_t>(1, (retry_ms + 999) / 1000);
  r.message = std::move(why);
  w.refused(std::move(r));
}

void FleetBudgets::Serve(Host& h) {
  h.timer->Stop();
  if (h.asking) return;
  int64_t now = clock_();
  while (!h.queue.empty() && h.queue.front().deadline_ms < now) {
    Refuse(h, limits::RejectReason::kRateLimited, 1000,
           "the fleet's limit of " + h.name + " (scope all) kept the request past its deadline");
  }
  if (h.queue.empty()) return;
  if (mode_ == Mode::kFleet) return AskRedis(h);
  // While the windows are being filled nothing starts: a start after the fill that it did not
  // count could meet the fleet's first grants in one window. The fill's end serves every host.
  if (mode_ == Mode::kRestarting) return Wait(h, kMaxWaitMs);
  ServeLocal(h, now);
}

void FleetBudgets::AskRedis(Host& h) {
  h.asking = true;
  std::string token = NextToken();
  acquire_.Run(
      {h.keys.window, h.keys.slots, h.keys.daily}, AcquireArgs(h.limits, token),
      [this, hp = &h, token, alive = alive_](Status st, Reply reply) {
        if (!*alive) return;
        Host& host = *hp;
        host.asking = false;
        AcquireVerdict v;
        if (st.ok()) st = storage::fleet::ParseAcquireReply(reply, &v);
        if (!st.ok()) {
          RedisFailed(st.message());
          return Serve(host);
        }
        host.daily_used_seen = v.daily_used;
        if (v.granted()) {
          ++stats_.grants;
          Grant grant = RedisGrant(host, token);
          if (host.queue.empty()) {  // cancelled meanwhile: the grant goes back
            grant.release();
            return;
          }
          Waiter w = std::move(host.queue.front());
          host.queue.pop_front();
          w.granted(std::move(grant));
          return Serve(host);
        }
        if (host.queue.empty()) return;
        int64_t now = clock_();
        if (v.wait_ms >= 0 && now + v.wait_ms > host.queue.front().deadline_ms) {
          bool daily = v.why == AcquireVerdict::Why::kDaily;
          Refuse(host,
                 daily ? limits::RejectReason::kDailyLimit : limits::RejectReason::kRateLimited,
                 v.wait_ms,
                 std::string(daily ? "the fleet's daily limit" : "the fleet's limit") + " of " +
                     host.name + " (scope all) is reached; next start in " +
                     limits::FormatDuration(v.wait_ms));
          return Serve(host);
        }
        Wait(host, v.wait_ms < 0 ? kPollMs : std::clamp<int64_t>(v.wait_ms, 1, kMaxWaitMs));
      });
}

FleetBudgets::Grant FleetBudgets::RedisGrant(Host& h, const std::string& token) {
  auto sent = std::make_shared<bool>(false);
  Grant g;
  auto finish = [this, hp = &h, token, sent, alive = alive_](bool release) {
    if (!*alive) return;
    const Host& host = *hp;
    // A failed finish is only counted: the start then counts until its hold expires and the
    // slot until its expiry, later than needed but never too early.
    finish_.Run({host.keys.window, host.keys.slots}, storage::fleet::FinishArgs(token, release),
                [this, alive](Status st, Reply reply) {
                  if (*alive && (!st.ok() || reply.is_error())) ++stats_.redis_failures;
                });
  };
  g.sent = [finish, sent] {
    if (*sent) return;
    *sent = true;
    finish(false);
  };
  g.release = [this, hp = &h, finish, alive = alive_] {
    finish(true);
    if (*alive) Serve(*hp);
  };
  return g;
}

FleetBudgets::Grant FleetBudgets::LocalGrant(Host& h) {
  auto sent = std::make_shared<bool>(false);
  ++h.local_unsent;
  Grant g;
  g.sent = [this, hp = &h, sent, alive = alive_] {
    if (!*alive || *sent) return;
    *sent = true;
    --hp->local_unsent;
    hp->share->OnSent(clock_());
  };
  g.release = [this, hp = &h, sent, alive = alive_] {
    if (!*alive) return;
    if (!*sent) {
      --hp->local_unsent;
      hp->share->OnSent(clock_());
    }
    *sent = true;
    hp->share->Release();
    Serve(*hp);
  };
  return g;
}

void FleetBudgets::ServeLocal(Host& h, int64_t now) {
  limits::LimitSpec share = limits::LocalShare(h.spec, proxies_);
  if (!h.share) {
    h.share = std::make_unique<limits::Budget>("", share, now, /*count_when_sent=*/true);
    // A host first seen on a local share: its windows full since Redis was lost.
    h.share->AssumeFullAt(h.share_full_at > 0 ? h.share_full_at : now);
  } else if (!(h.share->spec() == share)) {
    h.share->SetSpec(share, now);
  }
  while (!h.queue.empty()) {
    const Waiter& head = h.queue.front();
    if (h.spec.daily > 0 && h.daily_share_left <= 0) {
      Refuse(h, limits::RejectReason::kDailyLimit, 3600 * 1000,
             "the local share of the fleet's daily limit of " + h.name +
                 " (scope all) is used up while the fleet's Redis is unreachable");
      continue;
    }
    if (h.share->CanStartNow(now)) {
      h.share->Start(now);
      if (h.spec.daily > 0) --h.daily_share_left;
      h.ledger.OnLocalStart(now, LongestWindow(h.limits));
      ++stats_.local_starts;
      Waiter w = std::move(h.queue.front());
      h.queue.pop_front();
      w.granted(LocalGrant(h));
      continue;
    }
    int64_t wake = h.share->WakeMs(now);
    if (wake != limits::kNeverMs && wake > head.deadline_ms) {
      Refuse(h, limits::RejectReason::kRateLimited, wake - now,
             "the local share of the fleet's limit of " + h.name +
                 " (scope all) is reached; next start in " + limits::FormatDuration(wake - now));
      continue;
    }
    // A release serves the head at once; the timer covers windows, a mode change and the
    // head's deadline.
    int64_t until = wake == limits::kNeverMs ? head.deadline_ms + 1 : wake;
    return Wait(h, std::clamp<int64_t>(until - now, 1, kMaxWaitMs));
  }
}

void FleetBudgets::RedisFailed(const std::string& why) {
  ++stats_.redis_failures;
  if (mode_ == Mode::kLocalShare) return;
  if (mode_ == Mode::kFleet) {
    ++stats_.local_share_periods;
    spdlog::warn(
        "fleet budgets: Redis failed ({}); scope all limits run on a local share (1/{} of "
        "each) until it answers again",
        why, proxies_);
    int64_t now = clock_();
    for (auto& [name, h] : hosts_) {
      h->daily_share_left = limits::LocalDailyShare(h->spec.daily, h->daily_used_seen, proxies_);
      // The fleet's windows may be full of grants this proxy cannot see: its share starts
      // with its windows full, as a proxy after a crash does.
      if (h->share) h->share->AssumeFullAt(now);
      h->share_full_at = now;
    }
  }
  mode_ = Mode::kLocalShare;
}

void FleetBudgets::OnHeartbeat(bool ok, size_t proxies) {
  if (!ok) return;
  proxies_ = std::max<int64_t>(1, static_cast<int64_t>(proxies));
  if (mode_ != Mode::kLocalShare) return;
  // A local start whose query is not written yet would land after the fill, uncounted: the
  // return waits for the next heartbeat.
  for (const auto& [name, h] : hosts_) {
    if (h->local_unsent > 0) return;
  }
  Carry();
}

void FleetBudgets::Carry() {
  mode_ = Mode::kRestarting;
  int64_t now = clock_();
  auto pending = std::make_shared<int>(1);  // held until every carry is sent
  auto done = [this, pending, alive = alive_] {
    if (!*alive || --*pending > 0 || mode_ != Mode::kRestarting) return;
    for (auto& [name, h] : hosts_) {
      if (!h->ledger.empty()) return Carry();  // not expected: nothing starts meanwhile
    }
    mode_ = Mode::kFleet;
    spdlog::warn("fleet budgets: Redis answers again; scope all limits are held in Redis again");
    for (auto& [name, h] : hosts_) Serve(*h);
  };
  for (auto& [name, hp] : hosts_) {
    Host& h = *hp;
    limits::ShareLedger::Carry c = h.ledger.TakeCarry(now, LongestWindow(h.limits));
    if (c.empty()) continue;
    ++*pending;
    carry_.Run({h.keys.window, h.keys.daily},
               storage::fleet::CarryArgs(NextToken() + ":", c.daily_starts, h.limits),
               [this, hp = &h, c, now, done, alive = alive_](Status st, Reply reply) {
                 if (!*alive) return;
                 if (st.ok()) st = storage::fleet::ErrorOf(reply);
                 if (st.ok()) {
                   stats_.carried += static_cast<uint64_t>(c.daily_starts);
                   ++stats_.windows_filled;
                 } else {
                   hp->ledger.PutBack(c, now);
                   RedisFailed(st.message());
                 }
                 done();
               });
  }
  done();
}

void FleetBudgets::CancelAll() {
  for (auto& [name, h] : hosts_) {
    h->timer->Stop();
    auto queue = std::move(h->queue);
    h->queue.clear();
    for (Waiter& w : queue) w.refused(std::nullopt);
  }
}

void FleetBudgets::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("fleet_budget_mode", mode_ == Mode::kFleet        ? "fleet"
                                  : mode_ == Mode::kLocalShare ? "local_share"
                                                               : "restarting");
  info.Field("fleet_budget_grants", stats_.grants);
  info.Field("fleet_budget_refusals", stats_.refusals);
  info.Field("fleet_budget_failures", stats_.redis_failures);
  info.Field("fleet_local_share_periods", stats_.local_share_periods);
  info.Field("fleet_local_share_starts", stats_.local_starts);
  info.Field("fleet_budget_carried", stats_.carried);
  info.Field("fleet_budget_windows_filled", stats_.windows_filled);
}

}  // namespace server
