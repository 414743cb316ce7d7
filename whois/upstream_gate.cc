#include "whois/upstream_gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "whois/run_soon.h"

namespace whois {

namespace {

GateResult Limited(const limits::Rejection& r) {
  GateResult g;
  g.limited = r.reason == limits::RejectReason::kDailyLimit  ? "daily_limit"
              : r.reason == limits::RejectReason::kQueueFull ? "queue_full"
                                                             : "rate_limited";
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

UpstreamGate::UpstreamGate(uv_loop_t* loop, UpstreamClient* client, limits::LimitRegistry* registry,
                           Clock clock, Persist persist)
    : loop_(loop),
      client_(client),
      registry_(registry),
      clock_(std::move(clock)),
      persist_(std::move(persist)),
      timer_(new uv_timer_t) {
  uv_timer_init(loop_, timer_);
  timer_->data = this;
}

UpstreamGate::~UpstreamGate() {
  *alive_ = false;
  CancelQueued();
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

void UpstreamGate::Query(GateRequest request, std::function<void(GateResult)> done) {
  auto shared_done = std::make_shared<std::function<void(GateResult)>>(std::move(done));
  std::string host = request.target.host;
  limits::Priority priority = request.priority;
  int64_t deadline_ms = request.deadline_ms;
  Admit(
      host, priority, deadline_ms,
      [this, request = std::move(request), shared_done](Finish finish) mutable {
        client_->Query(request.target, std::move(request.query), request.options,
                       [classify = std::move(request.classify), finish = std::move(finish),
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
                         std::function<void(Finish)> start,
                         std::function<void(GateResult)> refused) {
  int64_t now = clock_();
  limits::RequestId id = next_id_++;
  limits::Admission admission =
      registry_->Scheduler(host, now).Submit(id, priority, deadline_ms, now);
  pending_.emplace(id, Pending{host, std::move(start), std::move(refused)});
  if (std::holds_alternative<limits::Admitted>(admission)) {
    Start(id);
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

void UpstreamGate::Start(limits::RequestId id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  // The slot is held until the connection closes, and every start reports exactly one outcome
  // to the host's back-off.
  p.start([this, host = p.host, alive = alive_](limits::Outcome outcome,
                                                std::optional<int64_t> named_wait_ms) {
    if (!*alive) return;
    int64_t now = clock_();
    if (auto* s = registry_->Find(host)) s->Release(now);
    registry_->OnOutcome(host, outcome, now, named_wait_ms);
    Pump();
  });
}

void UpstreamGate::Pump() {
  int64_t now = clock_();
  for (auto& [host, id, rejection] : registry_->ExpireAll(now)) Answer(id, rejection);
  for (auto& [host, id] : registry_->PollAll(now)) Start(id);
  PersistReservations();
  ArmTimer(now);
}

void UpstreamGate::PersistReservations() {
  for (limits::HostReservation& r : registry_->TakeReservations()) {
    std::string host = r.host;
    limits::QuotaBlock block = r.request.block;
    persist_(r.key, r.request.encoded, [this, host, block, alive = alive_](bool ok) {
      if (!*alive) return;
      if (ok) {
        registry_->OnReserved(host, block, clock_());
      } else {
        spdlog::warn("could not store the daily quota reservation of {}; retrying", host);
        registry_->OnReservationFailed(host, block, clock_());
      }
      Pump();
    });
  }
}

void UpstreamGate::ArmTimer(int64_t now_ms) {
  int64_t next = registry_->NextWakeMs(now_ms);
  if (next == limits::kNeverMs) {
    uv_timer_stop(timer_);
    return;
  }
  auto delay = static_cast<uint64_t>(std::max<int64_t>(0, next - now_ms));
  uv_timer_start(
      timer_, [](uv_timer_t* t) { static_cast<UpstreamGate*>(t->data)->Pump(); }, delay, 0);
}

void UpstreamGate::CancelQueued() {
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
