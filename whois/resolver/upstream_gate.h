// The upstream limits in front of the transports: every WHOIS query to a host passes its
// HostScheduler (concurrency, exact sliding windows, token bucket, daily quota, cool-down), waits
// in the host's queue when it cannot start yet, or is answered at once when its turn cannot come
// before its deadline. Daily quota is reserved ahead in blocks that are stored durably (through
// `Persist`) before any unit of them is used. With several source addresses, the host's
// scheduler picks the one each request goes out from, and the request binds it. A start counts
// in the host's windows when its query is written (see limits/budget.h). Admitted WHOIS queries
// go to the WhoisTransport it is given (UpstreamClient, or a fake in tests); time comes from the
// clock it is given, so tests move it and call Pump(). Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/uv_timer.h"
#include "whois/limits/limit_registry.h"
#include "whois/record/fallback_reason.h"
#include "whois/resolver/fleet_admission.h"
#include "whois/upstream/whois_transport.h"

namespace whois {

// How a query ended as far as the transport can tell: any reply is kOk, a reset or an empty
// close kReset, a timeout kTimeout, anything else (DNS, the OS refusing) kOtherFailure.
limits::Outcome TransportOutcome(const UpstreamResult& result);

struct GateRequest {
  UpstreamTarget target;  // limits are per target.host (the name, not the address)
  std::string query;
  UpstreamOptions options;
  limits::Priority priority = limits::Priority::kClient;
  int64_t deadline_ms = 0;  // wall clock: the latest start the caller can use
  // How the query ended, for the host's back-off (a refusal in the reply text is the caller's to
  // recognise). Sets *named_wait_ms when the reply names how long to stay away. Null: judged by
  // the transport alone (any reply is kOk).
  std::function<limits::Outcome(const UpstreamResult&, std::optional<int64_t>* named_wait_ms)>
      classify;
};

struct GateResult {
  UpstreamResult upstream;  // meaningful when `limited` is empty
  // None if the query ran; else why it did not: kRateLimited, kDailyLimit or kQueueFull
  // (deadline_exceeded is reported as kRateLimited: the host's limits kept it waiting).
  std::optional<FallbackReason> limited;
  int64_t retry_after_s = 0;  // with `limited`
  std::string message;        // with `limited`, for logs
};

class UpstreamGate {
 public:
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds
  // Stores `value` under `key` with a synced write and calls done(ok) on the loop thread.
  using Persist =
      std::function<void(std::string key, std::string value, std::function<void(bool)> done)>;

  // `transport` and `registry` outlive the gate.
  UpstreamGate(uv_loop_t* loop, WhoisTransport* transport, limits::LimitRegistry* registry,
               Clock clock, Persist persist);
  ~UpstreamGate();
  UpstreamGate(const UpstreamGate&) = delete;
  UpstreamGate& operator=(const UpstreamGate&) = delete;

  // `done` is called exactly once, never from inside Query().
  void Query(GateRequest request, std::function<void(GateResult)> done);

  // The general form, for any protocol (WHOIS above, RDAP over HTTP): when `host`'s limits let
  // the request start, `start` is called with a GateStart: the source address to bind, `sent`
  // to call the moment the request's bytes are written (at most once; the registry counts the
  // query from then), and `finish` to call exactly once, when its connection has closed, with
  // the outcome for the host's back-off (a start that never called `sent` counts from then).
  // If the request cannot start (limits, deadline, shutdown), `refused` is called instead with
  // a GateResult whose `limited` says why (or whose upstream.failure is kCancelled). One of the
  // two is called exactly once, never from inside Admit().
  using Finish = std::function<void(limits::Outcome, std::optional<int64_t> named_wait_ms)>;
  struct GateStart {
    std::string source_address;  // empty: the kernel chooses
    std::function<void()> sent;  // may be called from inside a client's own callbacks
    Finish finish;
  };
  void Admit(const std::string& host, limits::Priority priority, int64_t deadline_ms,
             std::function<void(GateStart)> start, std::function<void(GateResult)> refused);

  // With a fleet: a start whose host budget `fleet` Holds waits for its grant too (it keeps its
  // local slot meanwhile; a refusal frees it and answers the request). Null: none. `fleet`
  // outlives the gate or is unset first.
  void SetFleet(FleetAdmission* fleet) { fleet_ = fleet; }

  // Applies changed limits: re-evaluates queues and timers.
  void Pump();

  // Answers every queued request as cancelled (shutdown). In-flight queries are the
  // transport's to cancel.
  void CancelQueued();

  limits::LimitRegistry& registry() { return *registry_; }

 private:
  struct Pending {
    std::string host;
    int64_t deadline_ms = 0;
    std::function<void(GateStart)> start;
    std::function<void(GateResult)> refused;
  };
  void Start(limits::RequestId id, size_t source);
  // Starts `p` from `source`, with the fleet's grant when it needed one.
  void Launch(Pending p, size_t source, FleetAdmission::Grant grant);
  // The fleet refused (or cancelled: nullopt) a start the host's limits had admitted.
  void FleetRefused(Pending p, size_t source, const std::optional<limits::Rejection>& why);
  void PumpSoon();
  void Answer(limits::RequestId id, const limits::Rejection& rejection);
  void PersistReservations();
  void ArmTimer(int64_t now_ms);

  uv_loop_t* loop_;
  WhoisTransport* transport_;
  limits::LimitRegistry* registry_;
  FleetAdmission* fleet_ = nullptr;
  Clock clock_;
  Persist persist_;
  util::UvTimer timer_;
  limits::RequestId next_id_ = 1;
  std::unordered_map<limits::RequestId, Pending> pending_;  // submitted, not yet started
  bool pump_scheduled_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois
