#include "server/loop_executor.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <thread>

namespace server {
namespace {

// Runs the loop until `done` or 5 s, so a failing test cannot hang.
void RunUntil(uv_loop_t* loop, const bool& done) {
  uv_timer_t guard;
  uv_timer_init(loop, &guard);
  uv_timer_start(
      &guard, [](uv_timer_t* t) { uv_stop(t->loop); }, 5000, 0);
  while (!done) {
    if (uv_run(loop, UV_RUN_ONCE) == 0 && !done) break;
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&guard))) break;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);
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
