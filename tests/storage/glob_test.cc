#include "storage/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace storage {
namespace {

// A pattern, a text, and whether the pattern matches it as Redis's stringmatchlen would.
struct GlobCase {
  const char* pattern;
  const char* text;
  bool matches;
};

const GlobCase kGlobCases[] = {
    // Literals.
    {"example.com", "example.com", true},
    {"example.com", "example.co", false},
    {"example.co", "example.com", false},
    {"", "", true},
    {"", "a", false},
    // Star.
    {"*", "", true},
    {"*", "anything", true},
    {"*.com", "example.com", true},
    {"*.com", "example.org", false},
    {"ex*le.c*", "example.com", true},
    {"a**b", "ab", true},
    {"*a*b*c*", "xxaxxbxxcxx", true},
    {"*a*b*c*", "xxaxxcxxbxx", false},
    // Question mark.
    {"h?llo", "hello", true},
    {"h?llo", "hllo", false},
    {"???", "abc", true},
    // Sets.
    {"h[ae]llo", "hallo", true},
    {"h[ae]llo", "hello", true},
    {"h[ae]llo", "hillo", false},
    {"h[^e]llo", "hallo", true},
    {"h[^e]llo", "hello", false},
    {"h[a-c]llo", "hbllo", true},
    {"h[a-c]llo", "hdllo", false},
    {"h[c-a]llo", "hbllo", true},  // reversed range, as Redis
    {"[0-9][0-9]*", "42.com", true},
    {"a[-]b", "a-b", true},
    {"a[\\]]b", "a]b", true},
    {"a[]b", "ab", false},
    // Escapes.
    {"a\\*b", "a*b", true},
    {"a\\*b", "axb", false},
    {"a\\?", "a?", true},
    {"a\\", "a\\", true},  // a trailing backslash is itself
    // Malformed patterns do not crash.
    {"[", "a", false},
    {"[a", "a", true},  // an unclosed set runs to the end
    {"[^", "", false},
    {"[a-", "a", true},
};

TEST(GlobTest, MatchesAsRedis) {
  for (const GlobCase& c : kGlobCases) {
    SCOPED_TRACE(std::string("pattern '") + c.pattern + "', text '" + c.text + "'");
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.matches);
  }
}

TEST(GlobTest, StarDoesNotBlowUp) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

}  // namespace
}  // namespace storage
