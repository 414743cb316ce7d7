// What the limits tests share: a simulated start time, limit specs written as a directive's
// words, and an independent count of starts per window to check schedulers against.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "whois/limits/host_scheduler.h"
#include "whois/limits/limit_spec.h"

namespace whois::limits {

// A wall-clock time (epoch ms) that simulated hours start from.
inline constexpr int64_t kT0 = 1'700'000'000'000;

// "rate 5/s daily 1000" -> {"rate", "5/s", "daily", "1000"}.
inline std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The spec `text` parses to; a parse error fails the test.
inline LimitSpec Spec(const std::string& text) {
  auto parsed = ParseLimitSpec(Words(text));
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
  return parsed.value();
}

// The ids of the queries a scheduler started, in order.
inline std::vector<RequestId> Ids(const std::vector<Started>& started) {
  std::vector<RequestId> out;
  for (const Started& s : started) out.push_back(s.id);
  return out;
}

inline bool IsAdmitted(const Admission& a) { return std::holds_alternative<Admitted>(a); }

// Independent check: the most starts any interval (t - window, t] holds; the maximum is
// reached at an interval ending on a start.
inline int64_t MaxInAnyWindow(std::vector<int64_t> starts, int64_t window_ms) {
  std::sort(starts.begin(), starts.end());
  int64_t best = 0;
  size_t lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[lo] <= starts[hi] - window_ms) ++lo;
    best = std::max<int64_t>(best, static_cast<int64_t>(hi - lo + 1));
  }
  return best;
}

}  // namespace whois::limits
