#include "src/service/worker_pool.h"

namespace connectivity::service {

WorkerPool::WorkerPool(size_t threads) : threads_max_(threads == 0 ? 1 : threads) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Post(std::function<void()> task) {
  {
    MutexLock lock(mutex_);
    if (!stopping_) {
      tasks_.push_back(std::move(task));
      if (idle_ == 0 && threads_.size() < threads_max_) {
        threads_.emplace_back([this] { Run(); });
      } else {
        wake_.NotifyOne();
      }
      return;
    }
  }
  task();
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.NotifyAll();
  for (std::thread& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      MutexLock lock(mutex_);
      ++idle_;
      while (!stopping_ && tasks_.empty()) wake_.Wait(lock);
      --idle_;
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace connectivity::service
