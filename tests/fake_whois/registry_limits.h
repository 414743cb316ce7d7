// The limits a fake registry enforces, like a real WHOIS server would: a sliding window of
// queries (Nominet: 5 per second), concurrent connections (RADb: 4) and a daily quota (Nominet:
// 1,000 per 24 h). Pure: the caller passes the time in milliseconds.
//
// Only served queries count: a refused query uses no quota, so the log shows exactly how far
// a client went over.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace fake_whois {

enum class Decision { kServe, kRefuseRate, kRefuseConcurrency, kRefuseDaily };

inline std::string_view DecisionOutcome(Decision d) {
  switch (d) {
    case Decision::kServe:
      return "served";
    case Decision::kRefuseRate:
      return "refused_rate";
    case Decision::kRefuseConcurrency:
      return "refused_concurrency";
    case Decision::kRefuseDaily:
      return "refused_daily";
  }
  return "served";
}

// Parses a plain decimal number of 1 to `max_digits` digits (no sign, no spaces) into *out;
// false, with *out unchanged, for anything else. What the fake's flags and limits take.
inline bool ParseDecimal(std::string_view s, size_t max_digits, int64_t* out) {
  if (s.empty() || s.size() > max_digits) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

struct RateLimit {
  int64_t count = 0;      // 0: no limit
  int64_t window_ms = 0;  // the window `count` applies to
};

// Parses "5/s", "15/m", "100/h", "1800/15m", "1/2s" or "0" (no limit).
inline std::optional<RateLimit> ParseRateLimit(std::string_view text) {
  if (text == "0" || text == "none") return RateLimit{};
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  auto parse_int = [](std::string_view s, int64_t* out) { return ParseDecimal(s, 12, out); };
  RateLimit limit;
  if (!parse_int(text.substr(0, slash), &limit.count)) return std::nullopt;
  std::string_view per = text.substr(slash + 1);
  if (per.empty()) return std::nullopt;
  int64_t unit_ms = 0;
  switch (per.back()) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60 * 1000;
      break;
    case 'h':
      unit_ms = 3600 * 1000;
      break;
    case 'd':
      unit_ms = 24 * 3600 * 1000;
      break;
    default:
      return std::nullopt;
  }
  int64_t multiple = 1;
  per.remove_suffix(1);
  if (!per.empty() && !parse_int(per, &multiple)) return std::nullopt;
  if (multiple <= 0) return std::nullopt;
  limit.window_ms = multiple * unit_ms;
  return limit;
}

// Whose queries one set of limits counts, as registries differ: every client together, each
// client address (OpenSRS: 1/s per address), or each client IPv4 /24 (CentralNic).
enum class Scope { kAll, kAddress, kNetwork };

inline std::optional<Scope> ParseScope(std::string_view text) {
  if (text == "all") return Scope::kAll;
  if (text == "address") return Scope::kAddress;
  if (text == "network") return Scope::kNetwork;
  return std::nullopt;
}

// The key a client address is counted under: "" (all), the address, or its /24
// ("127.0.1.0/24"; an IPv6 client counts as itself).
inline std::string ClientKey(std::string_view address, Scope scope) {
  if (scope == Scope::kAll) return "";
  if (scope == Scope::kAddress || address.find(':') != std::string_view::npos) {
    return std::string(address);
  }
  const size_t last_dot = address.rfind('.');
  if (last_dot == std::string_view::npos) return std::string(address);
  return std::string(address.substr(0, last_dot)) + ".0/24";
}

struct LimitSettings {
  RateLimit rate;
  int64_t concurrency = 0;    // 0: no limit
  int64_t daily = 0;          // 0: no limit; counted since start (the fake never runs a day)
  Scope scope = Scope::kAll;  // every limit above counts per ClientKey
};

class RegistryLimits {
 public:
  explicit RegistryLimits(LimitSettings settings = {}) : settings_(settings) {}

  void set_settings(LimitSettings settings) { settings_ = settings; }
  const LimitSettings& settings() const { return settings_; }

  // Decides on one query arriving at `now_ms`. kServe counts it (window, daily, active); the
  // caller must call Finished() when that connection closes.
  Decision Admit(int64_t now_ms) {
    if (settings_.daily > 0 && served_total_ >= settings_.daily) return Decision::kRefuseDaily;
    if (settings_.rate.count > 0) {
      while (!window_.empty() && window_.front() <= now_ms - settings_.rate.window_ms) {
        window_.pop_front();
      }
      if (static_cast<int64_t>(window_.size()) >= settings_.rate.count) {
        return Decision::kRefuseRate;
      }
    }
    if (settings_.concurrency > 0 && active_ >= settings_.concurrency) {
      return Decision::kRefuseConcurrency;
    }
    window_.push_back(now_ms);
    // Keep the window bounded even when no rate limit is set.
    if (settings_.rate.count == 0 && window_.size() > 1) window_.pop_front();
    ++served_total_;
    ++active_;
    return Decision::kServe;
  }

  void Finished() {
    if (active_ > 0) --active_;
  }

  // Forgets the window and the daily count (not the active connections).
  void Reset() {
    window_.clear();
    served_total_ = 0;
  }

  int64_t active() const { return active_; }
  int64_t served_total() const { return served_total_; }

 private:
  LimitSettings settings_;
  std::deque<int64_t> window_;  // start times of served queries within the rate window
  int64_t served_total_ = 0;
  int64_t active_ = 0;
};

}  // namespace fake_whois
