#include "whois/resolver/upstream_gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "whois/resolver/run_soon.h"

namespace whois {

namespace {

GateResult Limited(const limits::Rejection& r) {
  GateResult g;
  g.limited = r.reason == limits::RejectReason::kDailyLimit  ? FallbackReason::kDailyLimit
              : r.reason == limits::RejectReason::kQueueFull ? FallbackReason::kQueueFull
                                                             : FallbackReason::kRateLimited;
  g.retry_after_s = r.retry_after_s;
  g.message = r.message;
  return g;
}

}  // namespace

limits::Outcome TransportOutcome(const UpstreamResult& r) {
  switch (r.failure) {
    case UpstreamFailure::kNone:
      return limits::Outcome::kOk;
    case UpstreamFailure::kReset:
    case UpstreamFailure::kEmptyReply:
      return limits::Outcome::kReset;
    case UpstreamFailure::kTimedOut:
      return limits::Outcome::kTimeout;
    default:
      return limits::Outcome::kOtherFailure;
  }
}

UpstreamGate::UpstreamGate(uv_loop_t* loop, WhoisTransport* transport,
                           limits::LimitRegistry* registry, Clock clock, Persist persist)
    : loop_(loop),
      transport_(transport),
      registry_(registry),
      clock_(std::move(clock)),
      persist_(std::move(persist)),
      timer_(loop) {}

UpstreamGate::~UpstreamGate() {
  *alive_ = false;
  CancelQueued();
}

void UpstreamGate::Query(GateRequest request, std::function<void(GateResult)> done) {
  auto shared_done = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  std::string host = request.target.host;
  limits::Priority priority = request.priority;
  int64_t deadline_ms = request.deadline_ms;
  Admit(
      host, priority, deadline_ms,
      [this, request = std::move(request), shared_done](GateStart start) mutable {
        request.options.source_address = std::move(start.source_address);
        request.options.on_sent = std::move(start.sent);
        transport_->Query(request.target, std::move(request.query), request.options,
                          [classify = std::move(request.classify), finish = std::move(start.finish),
                           shared_done](UpstreamResult r) {
                            std::optional<int64_t> named_wait_ms;
                            finish(classify ? classify(r, &named_wait_ms) : TransportOutcome(r),
                                   named_wait_ms);
                            GateResult g;
                            g.upstream = std::move(r);
                            (*shared_done)(std::move(g));
                          });
      },
      [shared_done](GateResult g) { (*shared_done)(std::move(g)); });
}

void UpstreamGate::Admit(const std::string& host, limits::Priority priority, int64_t deadline_ms,
                         std::function<void(GateStart)> start,
                         std::function<void(GateResult)> refused) {
  int64_t now = clock_();
  limits::RequestId id = next_id_++;
  limits::Admission admission =
      registry_->Scheduler(host, now).Submit(id, priority, deadline_ms, now);
  pending_.emplace(id, Pending{host, deadline_ms, std::move(start), std::move(refused)});
  if (auto* admitted = std::get_if<limits::Admitted>(&admission)) {
    Start(id, admitted->source);
  } else if (auto* rejection = std::get_if<limits::Rejection>(&admission)) {
    limits::Rejection r = *rejection;
    RunSoon(loop_, [this, id, r, alive = alive_] {
      if (*alive) Answer(id, r);
    });
  }
  PersistReservations();
  ArmTimer(now);
}

void UpstreamGate::Answer(limits::RequestId id, const limits::Rejection& rejection) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto refused = std::move(it->second.refused);
  spdlog::debug("upstream {}: {}", it->second.host, rejection.message);
  pending_.erase(it);
  refused(Limited(rejection));
}

void UpstreamGate::Start(limits::RequestId id, size_t source) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  limits::HostScheduler* s = registry_->Find(p.host);
  if (!fleet_ || !s || !fleet_->Holds(s->spec())) return Launch(std::move(p), source, {});
  // Both callbacks need the request; exactly one of them runs.
  auto shared = std::make_shared<Pending>(std::move(p));
  std::string host = shared->host;
  int64_t deadline_ms = shared->deadline_ms;
  fleet_->Acquire(
      host, s->spec(), deadline_ms,
      [this, shared, source, alive = alive_](FleetAdmission::Grant grant) {
        if (!*alive) {
          if (grant.release) grant.release();
          return;
        }
        Launch(std::move(*shared), source, std::move(grant));
      },
      [this, shared, source, alive = alive_](std::optional<limits::Rejection> why) {
        if (*alive) FleetRefused(std::move(*shared), source, why);
      });
}

void UpstreamGate::FleetRefused(Pending p, size_t source,
                                const std::optional<limits::Rejection>& why) {
  // The local slot and start go back as a start that ended without a write: it counts in the
  // local windows (conservative), and its outcome says nothing of the host.
  int64_t now = clock_();
  if (auto* s = registry_->Find(p.host)) {
    s->OnSent(source, now);
    s->Release(source, now);
  }
  registry_->OnOutcome(p.host, source, limits::Outcome::kOk, now, std::nullopt);
  if (why) {
    spdlog::debug("upstream {}: {}", p.host, why->message);
    p.refused(Limited(*why));
  } else {
    GateResult g;
    g.upstream.failure = UpstreamFailure::kCancelled;
    g.upstream.error = "cancelled";
    p.refused(std::move(g));
  }
  PumpSoon();
}

void UpstreamGate::Launch(Pending p, size_t source, FleetAdmission::Grant grant) {
  GateStart start;
  if (auto* s = registry_->Find(p.host)) start.source_address = s->source(source);
  // Whether the query was written: a start counts in the windows from then, or from its end if
  // it never was (shared by both callbacks, which may run in either order only once each).
  auto sent = std::make_shared<bool>(false);
  start.sent = [this, host = p.host, source, sent, fleet_sent = std::move(grant.sent),
                alive = alive_] {
    if (!*alive || *sent) return;
    *sent = true;
    if (fleet_sent) fleet_sent();
    if (auto* s = registry_->Find(host)) s->OnSent(source, clock_());
    // Not from here: this runs inside a client's callback (libcurl forbids re-entry), and the
    // slot it frees is taken on the next loop turn.
    PumpSoon();
  };
  // The slot is held until the connection closes, and every start reports exactly one outcome
  // to the host's back-off.
  start.finish = [this, host = p.host, source, sent, release = std::move(grant.release),
                  alive = alive_](limits::Outcome outcome, std::optional<int64_t> named_wait_ms) {
    if (release) release();
    if (!*alive) return;
    int64_t now = clock_();
    if (auto* s = registry_->Find(host)) {
      if (!*sent) s->OnSent(source, now);
      *sent = true;
      s->Release(source, now);
    }
    registry_->OnOutcome(host, source, outcome, now, named_wait_ms);
    Pump();
  };
  p.start(std::move(start));
}

void UpstreamGate::PumpSoon() {
  if (pump_scheduled_) return;
  pump_scheduled_ = true;
  RunSoon(loop_, [this, alive = alive_] {
    if (!*alive) return;
    pump_scheduled_ = false;
    Pump();
  });
}

void UpstreamGate::Pump() {
  int64_t now = clock_();
  for (auto& [host, id, rejection] : registry_->ExpireAll(now)) Answer(id, rejection);
  for (auto& [host, started] : registry_->PollAll(now)) Start(started.id, started.source);
  PersistReservations();
  ArmTimer(now);
}

void UpstreamGate::PersistReservations() {
  for (limits::HostReservation& r : registry_->TakeReservations()) {
    std::string host = r.host;
    std::string budget = r.budget;
    limits::QuotaBlock block = r.request.block;
    persist_(r.key, r.request.encoded, [this, host, budget, block, alive = alive_](bool ok) {
      if (!*alive) return;
      if (ok) {
        registry_->OnReserved(host, block, clock_(), budget);
      } else {
        spdlog::warn("could not store the daily quota reservation of {} ({}); retrying", host,
                     limits::BudgetLabel(budget));
        registry_->OnReservationFailed(host, block, clock_(), budget);
      }
      Pump();
    });
  }
}

void UpstreamGate::ArmTimer(int64_t now_ms) {
  int64_t next = registry_->NextWakeMs(now_ms);
  if (next == limits::kNeverMs) {
    timer_.Stop();
    return;
  }
  auto delay = static_cast<uint64_t>(std::max<int64_t>(0, next - now_ms));
  timer_.Start(delay, [this] { Pump(); });
}

void UpstreamGate::CancelQueued() {
  if (fleet_) fleet_->CancelAll();
  auto queued = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : queued) {
    if (auto* s = registry_->Find(p.host)) s->Cancel(id);
    GateResult g;
    g.upstream.failure = UpstreamFailure::kCancelled;
    g.upstream.error = "cancelled";
    p.refused(std::move(g));
  }
}

}  // namespace whois
