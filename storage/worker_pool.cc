#include "storage/worker_pool.h"

namespace storage {

WorkerPool::WorkerPool(int threads) {
  if (threads < 1) threads = 1;
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& w : workers_) w->thread = std::thread(&WorkerPool::Run, w.get());
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(int index, Task task) {
  Worker* w = workers_[static_cast<size_t>(index)].get();
  {
    std::lock_guard<std::mutex> lock(w->mu);
    w->queue.push_back(std::move(task));
  }
  w->cv.notify_one();
}

void WorkerPool::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_one();
  }
  for (auto& w : workers_) w->thread.join();
}

void WorkerPool::Run(Worker* w) {
  for (;;) {
    Task task;
    bool cancelled;
    {
      std::unique_lock<std::mutex> lock(w->mu);
      w->cv.wait(lock, [w] { return w->stopping || !w->queue.empty(); });
      if (w->queue.empty()) return;  // stopping, and nothing left to cancel
      task = std::move(w->queue.front());
      w->queue.pop_front();
      cancelled = w->stopping;
    }
    task(cancelled);
  }
}

}  // namespace storage
