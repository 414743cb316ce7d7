#include "server/reply_queue.h"

#include <gtest/gtest.h>

namespace server {
namespace {

TEST(ReplyQueue, ImmediateRepliesGoStraightToOutput) {
  ReplyQueue q;
  EXPECT_FALSE(q.has_pending());
  q.output() += "+A\r\n";
  EXPECT_EQ(q.output(), "+A\r\n");
}

TEST(ReplyQueue, LaterRepliesWaitForAnEarlierDeferredOne) {
  ReplyQueue q;
  uint64_t first = q.Defer();
  ASSERT_TRUE(q.has_pending());
  q.AppendReady("+second\r\n");
  uint64_t third = q.Defer();
  q.AppendReady("+fourth\r\n");
  EXPECT_EQ(q.output(), "");
  EXPECT_TRUE(q.Complete(third, "+third\r\n"));
  EXPECT_EQ(q.output(), "");  // still behind the first
  EXPECT_TRUE(q.Complete(first, "+first\r\n"));
  EXPECT_EQ(q.output(), "+first\r\n+second\r\n+third\r\n+fourth\r\n");
  EXPECT_FALSE(q.has_pending());
}

TEST(ReplyQueue, CompletingTwiceOrUnknownTicketIsRejected) {
  ReplyQueue q;
  uint64_t t = q.Defer();
  uint64_t u = q.Defer();
  EXPECT_TRUE(q.Complete(u, "+u\r\n"));
  EXPECT_FALSE(q.Complete(u, "+again\r\n"));
  EXPECT_FALSE(q.Complete(t + 100, "+x\r\n"));
  EXPECT_TRUE(q.Complete(t, "+t\r\n"));
  EXPECT_FALSE(q.Complete(t, "+t\r\n"));
  EXPECT_EQ(q.output(), "+t\r\n+u\r\n");
}

TEST(ReplyQueue, ManyOutOfOrderCompletionsComeOutInRequestOrder) {
  ReplyQueue q;
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 1000; ++i) tickets.push_back(q.Defer());
  for (int i = 999; i >= 0; --i) q.Complete(tickets[i], std::to_string(i) + ",");
  std::string want;
  for (int i = 0; i < 1000; ++i) want += std::to_string(i) + ",";
  EXPECT_EQ(q.output(), want);
}

// What waits behind a deferred reply is counted (the server holds it against the client's
// output limits) until it moves to the output.
TEST(ReplyQueue, HeldCountsReadyRepliesWaitingBehindADeferredOne) {
  ReplyQueue q;
  uint64_t first = q.Defer();
  q.AppendReady("+second\r\n");
  uint64_t third = q.Defer();
  EXPECT_EQ(q.held(), 9u);
  EXPECT_TRUE(q.Complete(third, std::string(1000, 'x')));
  EXPECT_EQ(q.held(), 1009u);
  EXPECT_TRUE(q.Complete(first, "+first\r\n"));
  EXPECT_EQ(q.held(), 0u);
  EXPECT_EQ(q.output().size(), 8u + 9u + 1000u);
}

}  // namespace
}  // namespace server
