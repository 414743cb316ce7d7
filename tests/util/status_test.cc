#include "util/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>

namespace util {
namespace {

TEST(Status, DefaultIsOkWithoutMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s, Status::OK());
}

TEST(Status, ErrorsKeepTheirCodeAndExactMessage) {
  const Status nf = Status::NotFound("no record of example.com");
  EXPECT_FALSE(nf.ok());
  EXPECT_TRUE(nf.IsNotFound());
  EXPECT_EQ(nf.code(), StatusCode::kNotFound);
  EXPECT_EQ(nf.message(), "no record of example.com");
  EXPECT_TRUE(Status::InvalidArgument("x").IsInvalidArgument());
  EXPECT_TRUE(Status::IOError("x").IsIOError());
  EXPECT_TRUE(Status::Corruption("x").IsCorruption());
  EXPECT_TRUE(Status::Unavailable("x").IsUnavailable());
  EXPECT_FALSE(Status::Unavailable("x").IsIOError());
}

// ToString is what storage has always logged; log readers grep for these prefixes.
TEST(Status, ToStringPutsTheKindInFront) {
  EXPECT_EQ(Status::NotFound("a").ToString(), "not found: a");
  EXPECT_EQ(Status::InvalidArgument("b").ToString(), "invalid argument: b");
  EXPECT_EQ(Status::IOError("disk full").ToString(), "IO error: disk full");
  EXPECT_EQ(Status::Corruption("c").ToString(), "corruption: c");
  EXPECT_EQ(Status::Unavailable("d").ToString(), "unavailable: d");
}

TEST(Status, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status::IOError("a"), Status::IOError("a"));
  EXPECT_NE(Status::IOError("a"), Status::IOError("b"));
  EXPECT_NE(Status::IOError("a"), Status::Corruption("a"));
}

TEST(Status, DoesNotConvertToBool) {
  EXPECT_FALSE((std::is_convertible_v<Status, bool>));
  EXPECT_FALSE((std::is_convertible_v<StatusOr<int>, bool>));
}

TEST(StatusOr, HoldsAValue) {
  StatusOr<int> v = 42;
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v.status().ok());
  EXPECT_EQ(v.value(), 42);
  EXPECT_EQ(*v, 42);
  EXPECT_EQ(v.value_or(7), 42);
}

TEST(StatusOr, HoldsAnError) {
  StatusOr<int> v = Status::InvalidArgument("limit must be a positive integer");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsInvalidArgument());
  EXPECT_EQ(v.status().message(), "limit must be a positive integer");
  EXPECT_EQ(v.value_or(7), 7);
}

TEST(StatusOr, BuildsTheValueFromWhatItIsConstructibleFrom) {
  auto make = []() -> StatusOr<std::string> { return "whois.nic.uk"; };
  StatusOr<std::string> s = make();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "whois.nic.uk");
  EXPECT_EQ(s->size(), 12u);
}

TEST(StatusOr, MovesOutMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

TEST(StatusOr, StatusCanBeMovedOutOfAnError) {
  StatusOr<std::string> e = Status::Unavailable("peer down");
  Status st = std::move(e).status();
  EXPECT_TRUE(st.IsUnavailable());
  EXPECT_EQ(st.message(), "peer down");
}

}  // namespace
}  // namespace util
