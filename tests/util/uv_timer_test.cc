#include "util/uv_timer.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace util {
namespace {

// A loop of the test's own. Closing it checks that every handle was closed and its close
// callback run (uv_loop_close fails with UV_EBUSY otherwise); ASan checks the memory was freed.
class UvTimerTest : public ::testing::Test {
 protected:
  UvTimerTest() { uv_loop_init(&loop_); }
  ~UvTimerTest() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }
  // Runs until nothing is pending: a timer that is never stopped would hang here, and ctest's
  // timeout would report it.
  void RunLoop() { uv_run(&loop_, UV_RUN_DEFAULT); }

  uv_loop_t loop_{};
};

TEST_F(UvTimerTest, FiresOnceAfterItsTimeout) {
  UvTimer timer(&loop_);
  int fired = 0;
  const uint64_t started = uv_now(&loop_);
  timer.Start(5, [&] { ++fired; });
  EXPECT_TRUE(timer.pending());
  RunLoop();
  EXPECT_EQ(fired, 1);
  EXPECT_GE(uv_now(&loop_) - started, 5u);
  EXPECT_FALSE(timer.pending());
}

TEST_F(UvTimerTest, RepeatsUntilStopped) {
  UvTimer timer(&loop_);
  int fired = 0;
  timer.Start(1, 1, [&] {
    if (++fired == 3) timer.Stop();
  });
  RunLoop();
  EXPECT_EQ(fired, 3);
  EXPECT_FALSE(timer.pending());
}

TEST_F(UvTimerTest, StoppedTimerNeverFiresAndCanStartAgain) {
  UvTimer timer(&loop_);
  std::vector<int> fired;
  timer.Start(1, [&] { fired.push_back(1); });
  timer.Stop();
  EXPECT_FALSE(timer.pending());
  RunLoop();
  EXPECT_TRUE(fired.empty());
  timer.Start(1, [&] { fired.push_back(2); });
  RunLoop();
  EXPECT_EQ(fired, std::vector<int>{2});
}

TEST_F(UvTimerTest, StartReplacesAPendingStart) {
  UvTimer timer(&loop_);
  std::vector<int> fired;
  timer.Start(1, [&] { fired.push_back(1); });
  timer.Start(2, [&] { fired.push_back(2); });
  RunLoop();
  EXPECT_EQ(fired, std::vector<int>{2});
}

TEST_F(UvTimerTest, DestroyedWhilePendingNeverFiresAndReleasesItsCaptures) {
  auto token = std::make_shared<int>(0);
  auto timer = std::make_unique<UvTimer>(&loop_);
  timer->Start(1, [&, token] { ++*token; });
  EXPECT_EQ(token.use_count(), 2);
  timer.reset();
  EXPECT_EQ(token.use_count(), 1) << "the callback's captures are released by the destructor";
  RunLoop();
  EXPECT_EQ(*token, 0);
}

TEST_F(UvTimerTest, DestroyedInsideItsOwnCallback) {
  auto token = std::make_shared<int>(0);
  auto timer = std::make_unique<UvTimer>(&loop_);
  timer->Start(1, 1, [&timer, token] {
    timer.reset();  // the owner goes away while its callback runs ...
    ++*token;       // ... and what the callback captured is still there (ASan would say)
  });
  RunLoop();
  EXPECT_EQ(timer, nullptr);
  EXPECT_EQ(*token, 1) << "a repeating timer destroyed in its callback fires no more";
  EXPECT_EQ(token.use_count(), 1) << "the captures are released once the callback returned";
}

TEST_F(UvTimerTest, StartedAgainInsideItsOwnCallback) {
  UvTimer timer(&loop_);
  std::vector<int> fired;
  auto token = std::make_shared<int>(0);
  timer.Start(1, [&, token] {
    fired.push_back(1);
    timer.Start(1, [&] { fired.push_back(2); });  // replaces the running callback
    fired.push_back(*token);                      // which is still alive until it returns
  });
  RunLoop();
  EXPECT_EQ(fired, (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(token.use_count(), 1);
}

TEST_F(UvTimerTest, OneShotReleasesItsCapturesOnceFired) {
  UvTimer timer(&loop_);
  auto token = std::make_shared<int>(0);
  timer.Start(0, [token] { ++*token; });
  RunLoop();
  EXPECT_EQ(*token, 1);
  EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace util
