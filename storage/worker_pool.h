// WorkerPool: a fixed set of threads, each with its own FIFO queue, so that work submitted to one
// worker runs in submission order. RecordStore routes every operation on a key to the same
// worker, which is what makes operations on one key run in the order they were issued.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace storage {

class WorkerPool {
 public:
  // A unit of work. It is called exactly once: with cancelled = false on its worker thread, or
  // with cancelled = true (on the worker thread too) if the pool stopped before it started.
  using Task = std::function<void(bool cancelled)>;

  explicit WorkerPool(int threads);
  // Stop(), if not already done.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }

  // Queues task on worker `index` (0 <= index < size()). Must not be called after Stop().
  void Submit(int index, Task task);

  // Lets each worker finish the task it is running, cancels the tasks still queued, and joins
  // the threads. Idempotent.
  void Stop();

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Task> queue;  // guarded by mu
    bool stopping = false;   // guarded by mu
    std::thread thread;
  };

  static void Run(Worker* w);

  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
};

}  // namespace storage
