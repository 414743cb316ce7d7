#include "storage/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/wait_until.h"

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

// Waits until worker `index` is asleep with nothing to do: it runs a task, then goes back to
// waiting.
void LetWorkerSleep(WorkerPool* pool, int index) {
  std::promise<void> ran;
  pool->Submit(index, [&ran](bool) { ran.set_value(); });
  ASSERT_EQ(ran.get_future().wait_for(test_support::kPatience), std::future_status::ready);
  ASSERT_TRUE(test_support::WaitUntil([&] { return pool->Waiting(index); }));
}

TEST(WorkerPoolTest, StopCancelsWhatHasNotStartedAndCallsEveryTaskOnce) {
  std::atomic<int> ran{0}, cancelled{0};
  {
    WorkerPool pool(2);
    LetWorkerSleep(&pool, 1);  // from now on only Stop() wakes worker 1
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    pool.Submit(0, [gate](bool) { gate.wait(); });  // holds worker 0 busy
    for (int i = 0; i < 100; ++i) pool.Submit(0, [&](bool c) { ++(c ? cancelled : ran); });
    // Stop() tells worker 0 before it wakes worker 1: once worker 1 is up, the gate may open,
    // and everything still queued on worker 0 must be cancelled, not run.
    std::thread releaser([&] {
      EXPECT_TRUE(test_support::WaitUntil([&] { return !pool.Waiting(1); }));
      release.set_value();
    });
    pool.Stop();
    releaser.join();
  }
  EXPECT_EQ(ran + cancelled, 100);
  EXPECT_EQ(cancelled, 100);
}

TEST(WorkerPoolTest, DeferredWakeupsWaitForWakeDeferredOnTheOwnerThread) {
  WorkerPool pool(1);
  LetWorkerSleep(&pool, 0);
  pool.DeferWakeupsToThisThread();
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) pool.Submit(0, [&ran](bool) { ++ran; });
  // The sleeping worker was not woken: nothing runs until the owner says so. (Checking that
  // nothing happens takes a while of nothing happening; it is still asleep afterwards.)
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(ran.load(), 0);
  EXPECT_TRUE(pool.Waiting(0));
  pool.WakeDeferred();
  EXPECT_TRUE(test_support::WaitUntil([&] { return ran.load() == 10; }));
  EXPECT_EQ(ran.load(), 10);
}

TEST(WorkerPoolTest, SubmitFromAnotherThreadStillWakesAtOnce) {
  WorkerPool pool(1);
  LetWorkerSleep(&pool, 0);
  pool.DeferWakeupsToThisThread();
  std::promise<void> ran;
  std::thread other([&] { pool.Submit(0, [&ran](bool) { ran.set_value(); }); });
  other.join();
  // No WakeDeferred: a submit from a thread that is not the owner must not wait for one.
  EXPECT_EQ(ran.get_future().wait_for(test_support::kPatience), std::future_status::ready);
}

// A store's background passes start at Open: its workers submit to each other while the owner
// takes over the wakeups. Every task still runs (and ThreadSanitizer sees no race).
TEST(WorkerPoolTest, WorkersMaySubmitWhileTheOwnerTakesOverWakeups) {
  WorkerPool pool(2);
  constexpr int kTasks = 2000;
  std::atomic<int> ran{0};
  pool.Submit(0, [&](bool) {
    for (int i = 0; i < kTasks; ++i) pool.Submit(1, [&](bool) { ++ran; });
  });
  pool.DeferWakeupsToThisThread();
  EXPECT_TRUE(test_support::WaitUntil([&] {
    pool.WakeDeferred();
    return ran.load() == kTasks;
  }));
}

TEST(WorkerPoolTest, OnIdleRunsAfterEveryQueuedTaskHasRun) {
  std::mutex mu;
  std::vector<int> done;        // guarded by mu
  std::vector<size_t> at_idle;  // guarded by mu: done.size() each time on_idle ran
  std::promise<void> all_idle;
  bool signalled = false;  // guarded by mu
  WorkerPool pool(1, [&] {
    std::lock_guard<std::mutex> lock(mu);
    at_idle.push_back(done.size());
    if (done.size() == 100 && !signalled) {
      signalled = true;
      all_idle.set_value();
    }
  });
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  pool.Submit(0, [gate](bool) { gate.wait(); });  // the next 100 queue up behind this one
  for (int i = 0; i < 100; ++i)
    pool.Submit(0, [&, i](bool) {
      std::lock_guard<std::mutex> lock(mu);
      done.push_back(i);
    });
  release.set_value();
  ASSERT_EQ(all_idle.get_future().wait_for(test_support::kPatience), std::future_status::ready);
  std::lock_guard<std::mutex> lock(mu);
  // on_idle ran once the batch was through, never in the middle of it: a caller that delivers
  // results from on_idle sees them all at once.
  for (size_t n : at_idle) EXPECT_TRUE(n == 0 || n == 100) << n;
}

}  // namespace
}  // namespace storage
