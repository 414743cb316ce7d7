#include "storage/fleet/single_flight.h"

#include <algorithm>
#include <random>
#include <vector>

#include "util/info_writer.h"
#include "util/uv_timer.h"

namespace storage::fleet {

struct SingleFlight::Pending {
  std::string domain;
  int64_t deadline_ms = 0;
  int64_t budget_ms = 0;  // deadline_ms less the time of the claim
  Usable usable;
  std::function<void(Outcome)> done;
  std::string token;
  bool waited = false;
  int64_t wait_until_ms = 0;
  uint32_t polls = 0;
  // Between polls; made at the first wait, gone with the claim (its callback never runs then).
  std::unique_ptr<util::UvTimer> timer;
};

SingleFlight::SingleFlight(uv_loop_t* loop, FleetClient* client, SharedRecords* records,
                           Options options, Clock clock)
    : loop_(loop),
      records_(records),
      options_(std::move(options)),
      clock_(std::move(clock)),
      take_(client, std::string(kTakeLeaseScript)),
      release_(client, std::string(kReleaseLeaseScript)),
      nonce_((static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()) {}

SingleFlight::~SingleFlight() {
  *alive_ = false;
  Cancel();
}

SingleFlight::Pending* SingleFlight::Find(uint64_t id) {
  auto it = claims_.find(id);
  return it == claims_.end() ? nullptr : it->second.get();
}

void SingleFlight::Claim(const std::string& domain, int64_t deadline_ms, Usable usable,
                         std::function<void(Outcome)> done) {
  uint64_t id = next_id_++;
  auto p = std::make_unique<Pending>();
  p->domain = domain;
  p->deadline_ms = deadline_ms;
  p->budget_ms = std::max<int64_t>(0, deadline_ms - clock_());
  p->usable = std::move(usable);
  p->done = std::move(done);
  p->token = LeaseToken(options_.node_name, nonce_, ++serial_);
  claims_.emplace(id, std::move(p));
  if (cancelled_) {
    // Later, as promised, through a timer that ends it like a poll would.
    Wait(id);
    return;
  }
  Fetch(id);
}

void SingleFlight::Fetch(uint64_t id) {
  records_->Fetch(Find(id)->domain, [this, id, alive = alive_](Status st, Record rec) {
    if (!*alive) return;
    Pending* p = Find(id);
    if (!p) return;
    if (st.ok() && p->usable(rec)) {
      Outcome found;
      found.has_record = true;
      found.record = std::move(rec);
      return Finish(id, std::move(found));
    }
    if (!st.ok() && !st.IsNotFound()) {
      ++stats_.errors;
      return Finish(id, {});
    }
    TryTake(id, /*unless_record=*/st.IsNotFound());
  });
}

void SingleFlight::TryTake(uint64_t id, bool unless_record) {
  const Pending& claim = *Find(id);
  int64_t now = clock_();
  int64_t px = options_.policy.LeaseMs(ResolveBy(claim, now), now);
  LeaseScriptCall call =
      TakeLeaseCall(options_.prefix, claim.domain, claim.token, px, unless_record);
  take_.Run(std::move(call.keys), std::move(call.args),
            [this, id, alive = alive_](Status st, Reply reply) {
              if (!*alive) return;
              Pending* p = Find(id);
              if (!p) return;
              TakeResult taken = TakeResult::kHeld;
              if (st.ok()) st = ParseTakeReply(reply, &taken);
              if (!st.ok()) {
                ++stats_.errors;
                return Finish(id, {});
              }
              switch (taken) {
                case TakeResult::kTaken: {
                  ++(p->waited ? stats_.taken_over : stats_.taken);
                  Outcome lease;
                  lease.lease = p->token;
                  return Finish(id, std::move(lease));
                }
                case TakeResult::kRecordExists:
                  // Published between our read and the script: read it (the next try takes the
                  // lease even if a record exists, so a record this lookup cannot use ends no
                  // loop).
                  ++p->polls;
                  return Fetch(id);
                case TakeResult::kHeld:
                  break;
              }
              if (!p->waited) {
                p->waited = true;
                ++stats_.waited;
                p->wait_until_ms = clock_() + options_.policy.max_ms;
              } else if (clock_() >= p->wait_until_ms) {
                // Every lease seen has ended by now: a chain of holders that never publish (each
                // failing upstream) must not keep this lookup waiting for ever.
                ++stats_.gave_up;
                return Finish(id, {});
              }
              Wait(id);
            });
}

void SingleFlight::Wait(uint64_t id) {
  Pending* p = Find(id);
  if (!p->timer) p->timer = std::make_unique<util::UvTimer>(loop_);
  uint64_t delay = cancelled_ ? 0 : static_cast<uint64_t>(options_.policy.PollDelayMs(p->polls++));
  p->timer->Start(delay, [this, id] { OnPoll(id); });
}

void SingleFlight::OnPoll(uint64_t id) {
  if (!Find(id)) return;
  if (cancelled_) return Finish(id, {});
  Fetch(id);
}

void SingleFlight::Finish(uint64_t id, Outcome outcome) {
  auto it = claims_.find(id);
  if (it == claims_.end()) return;
  std::unique_ptr<Pending> p = std::move(it->second);
  claims_.erase(it);
  p->timer.reset();
  if (!outcome.has_record) outcome.deadline_ms = ResolveBy(*p, clock_());
  p->done(std::move(outcome));
}

int64_t SingleFlight::ResolveBy(const Pending& claim, int64_t now_ms) {
  return std::max(claim.deadline_ms, now_ms + claim.budget_ms);
}

void SingleFlight::Release(const std::string& domain, const std::string& lease) {
  if (cancelled_ || lease.empty()) return;
  LeaseScriptCall call = ReleaseLeaseCall(options_.prefix, domain, lease);
  release_.Run(std::move(call.keys), std::move(call.args),
               [this, alive = alive_](Status st, Reply reply) {
                 if (!*alive) return;
                 if (!st.ok() || reply.type != Reply::Type::kInteger) {
                   ++stats_.errors;
                 } else {
                   ++(reply.integer == 1 ? stats_.released : stats_.lost);
                 }
               });
}

void SingleFlight::Cancel() {
  cancelled_ = true;
  std::vector<uint64_t> ids;
  ids.reserve(claims_.size());
  for (const auto& [id, p] : claims_) ids.push_back(id);
  for (uint64_t id : ids) Finish(id, {});
}

void SingleFlight::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("fleet_leases_taken", stats_.taken);
  info.Field("fleet_leases_waited", stats_.waited);
  info.Field("fleet_leases_taken_over", stats_.taken_over);
  info.Field("fleet_leases_lost", stats_.lost);
  info.Field("fleet_leases_released", stats_.released);
  info.Field("fleet_lease_errors", stats_.errors);
  info.Field("fleet_lease_waits_given_up", stats_.gave_up);
  info.Field("fleet_lease_claims", claims_.size());
}

}  // namespace storage::fleet
