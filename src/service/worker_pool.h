// WorkerPool: a few threads for blocking work (a test connection waits up
// to its connect timeout), so that neither HTTP threads nor the journal's
// threads ever block on the network. Threads start on demand: a task that
// finds no idle worker starts one, up to `threads`; beyond that, tasks
// queue. A service that never tests a connection never starts one.
#ifndef CONNECTIVITY_SERVICE_WORKER_POOL_H_
#define CONNECTIVITY_SERVICE_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "src/base/mutex.h"

namespace connectivity::service {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);  // at most this many
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a worker; after Stop(), runs it on the caller's thread.
  void Post(std::function<void()> task) EXCLUDES(mutex_);
  // Runs what is queued, then joins the threads. Idempotent.
  void Stop() EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);

  const size_t threads_max_;
  Mutex mutex_;
  CondVar wake_;
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  size_t idle_ GUARDED_BY(mutex_) = 0;  // workers waiting for a task
  std::vector<std::thread> threads_ GUARDED_BY(mutex_);
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_WORKER_POOL_H_
