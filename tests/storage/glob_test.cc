#include "storage/glob.h"

#include <gtest/gtest.h>

namespace storage {
namespace {

TEST(GlobTest, Literals) {
  EXPECT_TRUE(GlobMatch("example.com", "example.com"));
  EXPECT_FALSE(GlobMatch("example.com", "example.co"));
  EXPECT_FALSE(GlobMatch("example.co", "example.com"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobTest, Star) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("*.com", "example.com"));
  EXPECT_FALSE(GlobMatch("*.com", "example.org"));
  EXPECT_TRUE(GlobMatch("ex*le.c*", "example.com"));
  EXPECT_TRUE(GlobMatch("a**b", "ab"));
  EXPECT_TRUE(GlobMatch("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(GlobMatch("*a*b*c*", "xxaxxcxxbxx"));
}

TEST(GlobTest, StarDoesNotBlowUp) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(GlobTest, Question) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_TRUE(GlobMatch("???", "abc"));
}

TEST(GlobTest, Sets) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hello"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-c]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-c]llo", "hdllo"));
  EXPECT_TRUE(GlobMatch("h[c-a]llo", "hbllo"));  // reversed range, as Redis
  EXPECT_TRUE(GlobMatch("[0-9][0-9]*", "42.com"));
  EXPECT_TRUE(GlobMatch("a[-]b", "a-b"));
  EXPECT_TRUE(GlobMatch("a[\\]]b", "a]b"));
  EXPECT_FALSE(GlobMatch("a[]b", "ab"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b"));
  EXPECT_FALSE(GlobMatch("a\\*b", "axb"));
  EXPECT_TRUE(GlobMatch("a\\?", "a?"));
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));  // a trailing backslash is itself
}

TEST(GlobTest, MalformedPatternsDoNotCrash) {
  EXPECT_FALSE(GlobMatch("[", "a"));
  EXPECT_TRUE(GlobMatch("[a", "a"));  // an unclosed set runs to the end
  EXPECT_FALSE(GlobMatch("[^", ""));
  EXPECT_TRUE(GlobMatch("[a-", "a"));
}

}  // namespace
}  // namespace storage
