// WorkerPool: a few threads for blocking work (a test connection waits up
// to its connect timeout), so that neither HTTP threads nor the journal's
// threads ever block on the network. Threads start on demand: a task that
// finds no idle worker starts one, up to `threads`; beyond that, tasks
// queue. A service that never tests a connection never starts one.
#ifndef CONNECTIVITY_SERVICE_WORKER_POOL_H_
#define CONNECTIVITY_SERVICE_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace connectivity::service {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);  // at most this many
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a worker; after Stop(), runs it on the caller's thread.
  void Post(std::function<void()> task);
  // Runs what is queued, then joins the threads. Idempotent.
  void Stop();

 private:
  void Run();

  const size_t threads_max_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  size_t idle_ = 0;                          // guarded by mutex_: workers waiting for a task
  std::vector<std::thread> threads_;         // guarded by mutex_
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_WORKER_POOL_H_
