#include "storage/worker_pool.h"

namespace storage {

WorkerPool::WorkerPool(int threads, std::function<void()> on_idle) : on_idle_(std::move(on_idle)) {
  if (threads < 1) threads = 1;
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& w : workers_) w->thread = std::thread(&WorkerPool::Run, this, w.get());
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(int index, Task task) {
  Worker* w = workers_[static_cast<size_t>(index)].get();
  bool asleep;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    w->queue.push_back(std::move(task));
    asleep = w->waiting;
  }
  if (!asleep) return;  // it will find the task before it waits again
  if (owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    w->wake_owed = true;
    wake_owed_ = true;
    return;
  }
  w->cv.notify_one();
}

void WorkerPool::DeferWakeupsToThisThread() {
  owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
}

void WorkerPool::WakeDeferred() {
  if (!wake_owed_) return;
  wake_owed_ = false;
  for (auto& w : workers_) {
    if (!w->wake_owed) continue;
    w->wake_owed = false;
    w->cv.notify_one();
  }
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

bool WorkerPool::Waiting(int index) const {
  Worker* w = workers_[static_cast<size_t>(index)].get();
  std::lock_guard<std::mutex> lock(w->mu);
  return w->waiting;
}

void WorkerPool::Run(Worker* w) {
  std::unique_lock<std::mutex> lock(w->mu);
  for (;;) {
    if (w->queue.empty()) {
      if (on_idle_) {
        lock.unlock();
        on_idle_();
        lock.lock();
        if (!w->queue.empty()) continue;
      }
      if (w->stopping) return;  // stopping, and nothing left to cancel
      w->waiting = true;
      w->cv.wait(lock, [w] { return w->stopping || !w->queue.empty(); });
      w->waiting = false;
      continue;
    }
    Task task = std::move(w->queue.front());
    w->queue.pop_front();
    const bool cancelled = w->stopping;
    lock.unlock();
    task(cancelled);
    task = nullptr;  // destroyed outside the lock, like it ran
    lock.lock();
  }
}

}  // namespace storage
