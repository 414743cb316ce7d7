// BackgroundPlan: which background lookup starts next, per upstream host. Background lookups are
// the ones no client waits for: refreshes of stale records clients asked for, prefetches
// (WHOIS.PREFETCH), and refreshes ahead of staleness. Each host has three FIFO lanes, served in
// that order, and a cap on how many of its background lookups run at once, so that background
// work never fills the host's queue at the upstream gate (where a client's request would find
// it full) and always waits behind clients there (it runs with background priority).
// Pure: time is a parameter, nothing here does I/O (tests/server/background_plan_test.cc).
//
// Call sequence: Add/AddPrefetch as work arrives; Take(now, cap) for the jobs that may start;
// Finished(host) when each started job ends (then Take again); Pause(host, until) when the
// host's limits said "not before" (Requeue puts a prefetch job back at the front of its lane);
// NextWakeMs(now) for the timer that ends a pause.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace server {

// Lane order is service order.
enum class BackgroundKind : uint8_t {
  kStale = 0,     // a client got a stale record: refresh it
  kPrefetch = 1,  // WHOIS.PREFETCH, from the durable queue
  kAhead = 2,     // a client got a record in the last tenth of its TTL: refresh it early
};
inline constexpr size_t kBackgroundKinds = 3;

struct BackgroundJob {
  std::string host;    // the upstream host the lookup asks first
  std::string domain;  // normalised
  BackgroundKind kind = BackgroundKind::kStale;
  uint64_t seq = 0;  // kPrefetch: the durable queue entry
};

class BackgroundPlan {
 public:
  // Refreshes waiting beyond these (per host and lane, and in all) are not queued: a later GET
  // asks again. At ~100 bytes each they bound the plan's memory; at a registry's few queries a
  // second they are hours of work.
  static constexpr size_t kMaxRefreshesPerHost = 100000;
  static constexpr size_t kMaxRefreshes = 200000;

  // Queues a refresh (kStale or kAhead) of `domain`. False if one of it is already waiting or
  // running (or one of a domain whose 64-bit hash is the same), or the lanes are full.
  bool Add(const std::string& host, const std::string& domain, BackgroundKind kind);
  // Appends a prefetch entry (in the durable queue's order; the caller loads them).
  void AddPrefetch(const std::string& host, const std::string& domain, uint64_t seq);
  // Puts a job that could not start back at the front of its lane.
  void Requeue(BackgroundJob job);

  // Jobs that may start now, marked running: per host not paused, while fewer than cap(host)
  // run, the front of the first non-empty lane.
  std::vector<BackgroundJob> Take(int64_t now_ms,
                                  const std::function<size_t(const std::string&)>& cap);
  // A started job of `host` ended (its domain may be queued again).
  void Finished(const BackgroundJob& job);
  // Nothing starts at `host` before until_ms (a later call may only extend it).
  void Pause(const std::string& host, int64_t until_ms);
  // When Take may have something new without another call: the earliest end of a pause that
  // holds back waiting work; INT64_MAX if none.
  int64_t NextWakeMs(int64_t now_ms) const;

  struct HostView {
    std::array<size_t, kBackgroundKinds> waiting{};
    std::array<size_t, kBackgroundKinds> running_by_kind{};
    size_t running = 0;
    int64_t paused_until_ms = 0;
  };
  // Per host with waiting or running work, sorted by host.
  std::map<std::string, HostView> Hosts() const;
  size_t waiting(BackgroundKind kind) const { return waiting_[static_cast<size_t>(kind)]; }
  size_t running(BackgroundKind kind) const { return running_[static_cast<size_t>(kind)]; }
  // Prefetch entries buffered for `host` (waiting in its lane).
  size_t prefetch_buffered(const std::string& host) const;
  bool IsQueued(const std::string& domain) const { return refreshes_.contains(Hash(domain)); }

 private:
  // A waiting job without its host and kind (the lane says both).
  struct Entry {
    std::string domain;
    uint64_t seq = 0;
  };
  struct Host {
    std::array<std::deque<Entry>, kBackgroundKinds> lanes;
    std::array<size_t, kBackgroundKinds> running_by_kind{};
    size_t running = 0;
    int64_t paused_until_ms = 0;
  };
  static bool Idle(const Host& h);  // no waiting job
  static uint64_t Hash(std::string_view domain) { return std::hash<std::string_view>()(domain); }

  std::map<std::string, Host> hosts_;
  std::unordered_set<uint64_t> refreshes_;  // hashes of the domains of waiting or running refreshes
  std::array<size_t, kBackgroundKinds> waiting_{};
  std::array<size_t, kBackgroundKinds> running_{};
};

}  // namespace server
