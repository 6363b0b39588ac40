#include "src/connect/task_pool.h"

#include <algorithm>
#include <chrono>
#include <system_error>

#include "src/connect/client.h"
#include "src/connect/resolver.h"

namespace connectivity::connect {

TaskPool::TaskPool(size_t threads) : threads_(std::max<size_t>(1, threads)) {}

TaskPool::~TaskPool() { Stop(); }

Status TaskPool::Start() {
  {
    MutexLock lock(mutex_);
    if (running_ || stopping_) return Status::Ok();
    running_ = true;
  }
  try {
    for (size_t i = 0; i < threads_; ++i) workers_.emplace_back([this] { Run(); });
  } catch (const std::system_error&) {
    Stop();
    return Status::IOError("cannot start the connect pool's threads");
  }
  return Status::Ok();
}

void TaskPool::Stop() {
  {
    MutexLock lock(mutex_);
    if (!running_ || stopping_) return;
    stopping_ = true;
    wake_.NotifyAll();
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

bool TaskPool::Post(std::function<void()> task) {
  MutexLock lock(mutex_);
  if (!running_ || stopping_) return false;
  ready_.push_back(std::move(task));
  wake_.NotifyOne();
  return true;
}

uint64_t TaskPool::PostAt(int64_t at_us, std::function<void()> task) {
  MutexLock lock(mutex_);
  if (!running_ || stopping_) return 0;
  const uint64_t id = next_id_++;
  const bool earliest = timed_.empty() || at_us < timed_.begin()->first.first;
  timed_.emplace(std::make_pair(at_us, id), std::move(task));
  timed_at_.emplace(id, at_us);
  if (earliest) wake_.NotifyOne();  // a sleeping worker may be waiting for a later one
  return id;
}

bool TaskPool::Cancel(uint64_t id) {
  MutexLock lock(mutex_);
  auto it = timed_at_.find(id);
  if (it == timed_at_.end()) return false;
  timed_.erase(std::make_pair(it->second, id));
  timed_at_.erase(it);
  return true;
}

void TaskPool::Run() {
  BlockSigpipeInThisThread();
  MutexLock lock(mutex_);
  for (;;) {
    // Due timed tasks (all of them once stopping) join the ready queue.
    const int64_t now = SteadyMicros();
    while (!timed_.empty() && (stopping_ || timed_.begin()->first.first <= now)) {
      timed_at_.erase(timed_.begin()->first.second);
      ready_.push_back(std::move(timed_.begin()->second));
      timed_.erase(timed_.begin());
    }
    if (!ready_.empty()) {
      std::function<void()> task = std::move(ready_.front());
      ready_.pop_front();
      lock.Unlock();
      task();
      task = nullptr;  // what it captured goes before the lock is taken again
      lock.Lock();
      continue;
    }
    if (stopping_) return;
    if (timed_.empty()) {
      wake_.Wait(lock);
    } else {
      wake_.WaitFor(lock, std::chrono::microseconds(std::max<int64_t>(1, timed_.begin()->first.first - now)));
    }
  }
}

}  // namespace connectivity::connect
