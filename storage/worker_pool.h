// WorkerPool: a fixed set of threads, each with its own FIFO queue, so that work submitted to one
// worker runs in submission order. RecordStore routes every operation on a key to the same
// worker, which is what makes operations on one key run in the order they were issued.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace storage {

class WorkerPool {
 public:
  // A unit of work. It is called exactly once: with cancelled = false on its worker thread, or
  // with cancelled = true (on the worker thread too) if the pool stopped before it started.
  using Task = std::function<void(bool cancelled)>;

  // on_idle, if given, runs on a worker thread each time that worker has run every task it was
  // given and is about to wait for more (and once before it exits): a place to deliver, in one
  // go, results its tasks held back.
  explicit WorkerPool(int threads, std::function<void()> on_idle = {});
  // Stop(), if not already done.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }

  // Queues task on worker `index` (0 <= index < size()). Must not be called after Stop().
  void Submit(int index, Task task);

  // From now on, Submit() called on the calling thread (the owner) does not wake a sleeping
  // worker itself: the owner must call WakeDeferred() before it next blocks. An event loop that
  // submits many tasks per iteration then wakes each worker once per iteration instead of once
  // per task, and a worker on the same core does not preempt the loop at every Submit. Submit()
  // from any other thread still wakes at once.
  void DeferWakeupsToThisThread();
  // Owner thread only: wakes the workers that got tasks while asleep since the last call.
  void WakeDeferred();

  // Lets each worker finish the task it is running, cancels the tasks still queued, and joins
  // the threads. Idempotent. Workers are told in index order, each before the next is woken.
  void Stop();

  // Whether worker `index` is blocked waiting for work: lets a test know a worker is asleep
  // instead of guessing how long it takes to fall asleep.
  bool Waiting(int index) const;

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Task> queue;  // guarded by mu
    bool stopping = false;   // guarded by mu
    bool waiting = false;    // guarded by mu: blocked (or about to block) in cv.wait
    bool wake_owed = false;  // owner thread only: got a task while waiting, not yet woken
    std::thread thread;
  };

  void Run(Worker* w);

  std::vector<std::unique_ptr<Worker>> workers_;
  const std::function<void()> on_idle_;
  // Set once by the owner; atomic because workers submit too (a store's own background passes
  // start at Open, before the owner sets it). The default id is no thread's.
  std::atomic<std::thread::id> owner_{};
  bool wake_owed_ = false;  // owner thread only: some worker's wake_owed is set
  bool stopped_ = false;
};

}  // namespace storage
