// A fixed set of threads running tasks now or at a steady-clock time: the shared home of the
// clients whose open connection is a check repeated every recheck interval (HTTP push, Kafka;
// pooled_client.h), so that their number does not add threads.
//
// Thread-safe. Tasks run on the pool's threads, without any pool lock held; they may post more.
#ifndef CONNECTIVITY_CONNECT_TASK_POOL_H_
#define CONNECTIVITY_CONNECT_TASK_POOL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/base/mutex.h"
#include "src/base/status.h"

namespace connectivity::connect {

class TaskPool {
 public:
  explicit TaskPool(size_t threads);
  ~TaskPool();  // Stop()
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  Status Start() EXCLUDES(mutex_);
  // Refuses new tasks, runs every queued one (timed ones at once, early), then joins. Idempotent.
  void Stop() EXCLUDES(mutex_);

  // False if the pool is not running (the task is dropped).
  bool Post(std::function<void()> task) EXCLUDES(mutex_);
  // Runs `task` at SteadyMicros() time `at_us`; an id for Cancel, or 0 if the pool is not running.
  uint64_t PostAt(int64_t at_us, std::function<void()> task) EXCLUDES(mutex_);
  // True if the timed task was removed before it started (it will never run).
  bool Cancel(uint64_t id) EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);

  const size_t threads_;
  Mutex mutex_;
  CondVar wake_;
  bool running_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  uint64_t next_id_ GUARDED_BY(mutex_) = 1;
  std::deque<std::function<void()>> ready_ GUARDED_BY(mutex_);
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> timed_ GUARDED_BY(mutex_);  // (at, id)
  std::unordered_map<uint64_t, int64_t> timed_at_ GUARDED_BY(mutex_);  // id -> at, for Cancel
  std::vector<std::thread> workers_;  // started by Start, joined by Stop
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_TASK_POOL_H_
