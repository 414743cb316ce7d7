#include "storage/glob.h"

#include <utility>

namespace storage {
namespace {

// Matches the single-byte token (anything but `*`) that starts at pattern[pi] against c.
// Sets *matched and returns the token's length in the pattern.
size_t MatchToken(std::string_view p, size_t pi, char c, bool* matched) {
  const size_t n = p.size();
  switch (p[pi]) {
    case '?':
      *matched = true;
      return 1;
    case '\\':
      if (pi + 1 < n) {
        *matched = p[pi + 1] == c;
        return 2;
      }
      *matched = c == '\\';
      return 1;
    case '[': {
      size_t i = pi + 1;
      bool negate = i < n && p[i] == '^';
      if (negate) ++i;
      bool in_set = false;
      while (i < n && p[i] != ']') {
        if (p[i] == '\\' && i + 1 < n) {
          ++i;
          if (p[i] == c) in_set = true;
        } else if (i + 2 < n && p[i + 1] == '-' && p[i + 2] != ']') {
          unsigned char lo = static_cast<unsigned char>(p[i]);
          unsigned char hi = static_cast<unsigned char>(p[i + 2]);
          if (lo > hi) std::swap(lo, hi);
          unsigned char uc = static_cast<unsigned char>(c);
          if (uc >= lo && uc <= hi) in_set = true;
          i += 2;
        } else if (p[i] == c) {
          in_set = true;
        }
        ++i;
      }
      // An unclosed set runs to the end of the pattern, as in Redis.
      size_t end = i < n ? i + 1 : n;
      *matched = negate ? !in_set : in_set;
      return end - pi;
    }
    default:
      *matched = p[pi] == c;
      return 1;
  }
}

}  // namespace

// Iterative matching with backtracking to the last `*` only: linear space, and no exponential
// blow-up on patterns like "*a*a*a*a*b" (each star only needs to retry from the latest one).
bool GlobMatch(std::string_view p, std::string_view t) {
  const size_t npos = std::string_view::npos;
  size_t pi = 0, ti = 0;
  size_t star_pi = npos, star_ti = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_pi = pi++;
      star_ti = ti;
      continue;
    }
    if (pi < p.size()) {
      bool matched = false;
      size_t len = MatchToken(p, pi, t[ti], &matched);
      if (matched) {
        pi += len;
        ++ti;
        continue;
      }
    }
    if (star_pi == npos) return false;
    pi = star_pi + 1;
    ti = ++star_ti;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace storage
