#include "server/loop_executor.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <thread>

#include "util/uv_timer.h"

namespace server {
namespace {

// Runs the loop until `done` or 5 s, so a failing test cannot hang.
void RunUntil(uv_loop_t* loop, const bool& done) {
  {
    util::UvTimer guard(loop);
    guard.Start(5000, [loop] { uv_stop(loop); });
    while (!done) {
      if (uv_run(loop, UV_RUN_ONCE) == 0 && !done) break;
      if (!guard.pending()) break;
    }
  }
  uv_run(loop, UV_RUN_NOWAIT);  // the guard's close callback
}

class LoopExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  uv_loop_t loop_;
};

TEST_F(LoopExecutorTest, QueuedClosuresRunOnlyAfterAWake) {
  LoopExecutor executor(&loop_);
  int ran = 0;
  std::thread worker([&] {
    for (int i = 0; i < 10; ++i) executor.Queue([&ran] { ++ran; });
  });
  worker.join();
  // Nothing woke the loop: a pass over it runs none of them.
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ(ran, 0);
  std::thread waker([&] { executor.Wake(); });
  waker.join();
  bool done = false;
  executor.Post([&done] { done = true; });
  RunUntil(&loop_, done);
  EXPECT_EQ(ran, 10);  // all ten, in one drain, before the closure posted after them
  executor.Close();
}

TEST_F(LoopExecutorTest, IterationHookRunsEachIterationUntilCleared) {
  LoopExecutor executor(&loop_);
  int calls = 0;
  executor.SetIterationHook([&calls] { ++calls; });
  bool done = false;
  executor.Post([&done] { done = true; });
  RunUntil(&loop_, done);
  EXPECT_GT(calls, 0);
  executor.SetIterationHook({});
  int before = calls;
  done = false;
  executor.Post([&done] { done = true; });
  RunUntil(&loop_, done);
  EXPECT_EQ(calls, before);
  executor.Close();
}

}  // namespace
}  // namespace server
