#include "whois/limits/limit_spec.h"

#include <charconv>
#include <string_view>

namespace whois::limits {
namespace {

constexpr int64_t kSecondMs = 1000;
constexpr int64_t kMinuteMs = 60 * kSecondMs;
constexpr int64_t kHourMs = 60 * kMinuteMs;

// Parses a decimal in [min, max]; digits only, so "+5", "5x" and "" are refused.
bool ParseInt(std::string_view text, int64_t min, int64_t max, int64_t* out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) return false;
  *out = v;
  return true;
}

int64_t UnitMs(char unit) {
  switch (unit) {
    case 's':
      return kSecondMs;
    case 'm':
      return kMinuteMs;
    case 'h':
      return kHourMs;
    case 'd':
      return kMsPerDay;
  }
  return 0;
}

util::StatusOr<RateLimit> ParseRate(std::string_view text) {
  const std::string quoted = "rate '" + std::string(text) + "': ";
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return util::Status::InvalidArgument(quoted +
                                         "expected COUNT/WINDOW, e.g. 5/s, 15/m, 100/h, 1800/15m");
  }
  RateLimit rate;
  if (!ParseInt(text.substr(0, slash), 1, kMaxRateCount, &rate.count)) {
    return util::Status::InvalidArgument(quoted + "count must be a whole number from 1 to " +
                                         std::to_string(kMaxRateCount));
  }
  std::string_view window = text.substr(slash + 1);
  if (window.empty() || UnitMs(window.back()) == 0) {
    return util::Status::InvalidArgument(quoted + "unit must be s, m, h or d (e.g. 5/s, 1800/15m)");
  }
  int64_t multiple = 1;
  std::string_view number = window.substr(0, window.size() - 1);
  if (!number.empty() && !ParseInt(number, 1, kMsPerDay / kSecondMs, &multiple)) {
    return util::Status::InvalidArgument(
        quoted + "window length must be a whole number before the unit, e.g. 15m");
  }
  rate.window_ms = multiple * UnitMs(window.back());
  if (rate.window_ms > kMsPerDay)
    return util::Status::InvalidArgument(quoted + "window longer than a day; use 'daily' instead");
  return rate;
}

// The words after `scope`, from words[i]; advances *i past the last one used.
util::StatusOr<LimitScope> ParseScope(const std::vector<std::string>& words, size_t* i) {
  LimitScope scope;
  const std::string& kind = words[*i];
  if (kind == "address") {
    scope.kind = ScopeKind::kAddress;
  } else if (kind == "all") {
    scope.kind = ScopeKind::kAll;
  } else if (kind == "network") {
    scope.kind = ScopeKind::kNetwork;
    int prefixes = 0;
    while (*i + 1 < words.size() && words[*i + 1].starts_with('/')) {
      const std::string& text = words[*i + 1];
      const int64_t max = prefixes == 0 ? 32 : 128;
      int64_t bits = 0;
      if (prefixes == 2) {
        return util::Status::InvalidArgument(
            "scope network takes at most two prefixes (IPv4, then IPv6), e.g. /24 /48");
      }
      if (!ParseInt(std::string_view(text).substr(1), 1, max, &bits)) {
        return util::Status::InvalidArgument("scope network '" + text + "': the " +
                                             (prefixes == 0 ? "IPv4" : "IPv6") +
                                             " prefix must be /1 to /" + std::to_string(max));
      }
      (prefixes == 0 ? scope.v4_prefix : scope.v6_prefix) = static_cast<int>(bits);
      ++prefixes;
      ++*i;
    }
  } else {
    return util::Status::InvalidArgument("scope '" + kind +
                                         "': must be address, network [/V4] [/V6] or all");
  }
  return scope;
}

std::string Bound(int64_t min, int64_t max) {
  return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

util::StatusOr<LimitSpec> ParseLimitSpec(const std::vector<std::string>& words) {
  if (words.empty()) {
    return util::Status::InvalidArgument(std::string(
        "no limits given; write at least one of concurrency N, rate N/<s|m|h|d>, daily N"));
  }
  LimitSpec spec;
  bool seen_concurrency = false, seen_burst = false, seen_daily = false, seen_reset = false,
       seen_scope = false;
  for (size_t i = 0; i < words.size(); i += 2) {
    const std::string& key = words[i];
    if (key != "concurrency" && key != "rate" && key != "burst" && key != "daily" &&
        key != "daily-reset" && key != "scope") {
      return util::Status::InvalidArgument(
          "unknown key '" + key +
          "' (expected concurrency, rate, burst, daily, daily-reset or scope)");
    }
    if (i + 1 >= words.size()) return util::Status::InvalidArgument("'" + key + "' needs a value");
    if (key == "scope") {
      if (seen_scope) return util::Status::InvalidArgument("'scope' given twice");
      seen_scope = true;
      size_t at = i + 1;
      auto scope = ParseScope(words, &at);
      if (!scope.ok()) return scope.status();
      spec.scope = *scope;
      i = at - 1;  // the loop adds 2: the next key follows the scope's last word
      continue;
    }
    const std::string& value = words[i + 1];
    auto once = [&](bool* seen) {
      bool first = !*seen;
      *seen = true;
      return first;
    };
    if (key == "concurrency") {
      if (!once(&seen_concurrency))
        return util::Status::InvalidArgument("'concurrency' given twice");
      if (!ParseInt(value, 1, kMaxConcurrency, &spec.concurrency)) {
        return util::Status::InvalidArgument("concurrency '" + value + "': must be " +
                                             Bound(1, kMaxConcurrency));
      }
    } else if (key == "rate") {
      if (spec.rates.size() >= kMaxRates) {
        return util::Status::InvalidArgument("more than " + std::to_string(kMaxRates) +
                                             " rate windows");
      }
      auto rate = ParseRate(value);
      if (!rate.ok()) return rate.status();
      spec.rates.push_back(*rate);
    } else if (key == "burst") {
      if (!once(&seen_burst)) return util::Status::InvalidArgument("'burst' given twice");
      if (!ParseInt(value, 1, kMaxRateCount, &spec.burst)) {
        return util::Status::InvalidArgument("burst '" + value + "': must be " +
                                             Bound(1, kMaxRateCount));
      }
    } else if (key == "daily") {
      if (!once(&seen_daily)) return util::Status::InvalidArgument("'daily' given twice");
      if (!ParseInt(value, 1, kMaxDaily, &spec.daily)) {
        return util::Status::InvalidArgument("daily '" + value + "': must be " +
                                             Bound(1, kMaxDaily));
      }
    } else {
      if (!once(&seen_reset)) return util::Status::InvalidArgument("'daily-reset' given twice");
      if (value == "rolling") {
        spec.day = DayKind::kRolling24h;
      } else if (value == "utc") {
        spec.day = DayKind::kUtcDay;
      } else {
        return util::Status::InvalidArgument("daily-reset '" + value + "': must be rolling or utc");
      }
    }
  }
  if (spec.burst > 0 && spec.rates.empty()) {
    return util::Status::InvalidArgument(
        "burst needs a rate to refill at, e.g. 'rate 5/s burst 10'");
  }
  if (seen_reset && spec.daily == 0) {
    return util::Status::InvalidArgument(
        "daily-reset needs a daily cap, e.g. 'daily 1000 daily-reset utc'");
  }
  if (spec.concurrency == 0 && spec.rates.empty() && spec.daily == 0) {
    return util::Status::InvalidArgument(std::string(
        "a scope alone limits nothing; add concurrency N, rate N/<s|m|h|d> or daily N"));
  }
  return spec;
}

std::string FormatRate(const RateLimit& rate) {
  std::string out = std::to_string(rate.count) + "/";
  static constexpr char kUnits[] = {'d', 'h', 'm', 's'};
  for (char unit : kUnits) {
    const int64_t ms = UnitMs(unit);
    if (rate.window_ms % ms == 0) {
      if (rate.window_ms != ms) out += std::to_string(rate.window_ms / ms);
      return out + unit;
    }
  }
  // Windows not a whole number of seconds only come from code, never from a directive.
  return out + std::to_string(rate.window_ms) + "ms";
}

std::string FormatScope(const LimitScope& scope) {
  switch (scope.kind) {
    case ScopeKind::kAddress:
      return "address";
    case ScopeKind::kAll:
      return "all";
    case ScopeKind::kNetwork:
      break;
  }
  return "network /" + std::to_string(scope.v4_prefix) + " /" + std::to_string(scope.v6_prefix);
}

std::string FormatLimitSpec(const LimitSpec& spec) {
  std::string out;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!out.empty()) out += ' ';
    out += key + ' ' + value;
  };
  if (spec.concurrency > 0) add("concurrency", std::to_string(spec.concurrency));
  for (const RateLimit& rate : spec.rates) add("rate", FormatRate(rate));
  if (spec.burst > 0) add("burst", std::to_string(spec.burst));
  if (spec.daily > 0) add("daily", std::to_string(spec.daily));
  if (spec.daily > 0 && spec.day == DayKind::kUtcDay) add("daily-reset", "utc");
  if (spec.scope.kind != ScopeKind::kAddress) add("scope", FormatScope(spec.scope));
  return out;
}

std::string FormatDuration(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t s = (ms + kSecondMs - 1) / kSecondMs;
  const int64_t days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60;
  s %= 60;
  if (days > 0) return std::to_string(days) + "d" + std::to_string(hours) + "h";
  if (hours > 0) return std::to_string(hours) + "h" + std::to_string(minutes) + "m";
  if (minutes > 0) return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

}  // namespace whois::limits
