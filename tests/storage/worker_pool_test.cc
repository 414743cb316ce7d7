#include "storage/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

namespace storage {
namespace {

TEST(WorkerPoolTest, OneWorkerRunsItsTasksInOrder) {
  WorkerPool pool(3);
  std::vector<int> seen;  // touched only by worker 1
  std::promise<void> done;
  for (int i = 0; i < 1000; ++i)
    pool.Submit(1, [&seen, i](bool cancelled) {
      if (!cancelled) seen.push_back(i);
    });
  pool.Submit(1, [&done](bool) { done.set_value(); });
  done.get_future().wait();
  ASSERT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
}

TEST(WorkerPoolTest, StopCancelsWhatHasNotStartedAndCallsEveryTaskOnce) {
  std::atomic<int> ran{0}, cancelled{0};
  {
    WorkerPool pool(2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    pool.Submit(0, [gate](bool) { gate.wait(); });  // holds worker 0 busy
    for (int i = 0; i < 100; ++i) pool.Submit(0, [&](bool c) { ++(c ? cancelled : ran); });
    std::thread releaser([&release] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      release.set_value();
    });
    pool.Stop();
    releaser.join();
  }
  EXPECT_EQ(ran + cancelled, 100);
  EXPECT_EQ(cancelled, 100);  // Stop came before worker 0 got past the gate
}

}  // namespace
}  // namespace storage
