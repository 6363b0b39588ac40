// ConnectionRegistry: every connection id the service has seen, in id order,
// with its current state and its command queue.
//
// Concurrency
//   The id -> entry map is guarded by a shared mutex (lookups share it;
//   inserting a new id takes it exclusively). Each Entry has its own mutex
//   for its state pointer and queue. States are immutable once published:
//   readers copy the shared_ptr under the entry mutex and read without locks.
//   Lock order: map mutex before entry mutex; never the reverse.
// Limits
//   An entry is made only for a create or modify whose checks passed
//   (ConnectionService checks a command on a new id before it makes one),
//   so rejected commands leave nothing behind. Entries are never removed (a
//   deleted connection keeps its state with lifecycle DELETED, so revisions
//   continue and history stays readable); an entry whose first event failed
//   to commit (the journal refuses writes from then on) stays empty.
//   Each entry's queue holds at most the `waiting_max` given to RunSerialized.
#ifndef CONNECTIVITY_SERVICE_REGISTRY_H_
#define CONNECTIVITY_SERVICE_REGISTRY_H_

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/mutex.h"
#include "src/projector/connection_state.h"

namespace connectivity::service {

using StatePtr = std::shared_ptr<const projector::ConnectionState>;

// A unit of work that must run alone on its connection. It is given a
// `finish` callback that it (or whatever it started) calls exactly once when
// the connection may run its next task.
using SerializedTask = std::function<void(std::function<void()> finish)>;

struct Entry {
  Entry() = default;
  explicit Entry(StatePtr loaded) : state(std::move(loaded)) {}

  Mutex mutex;
  StatePtr state GUARDED_BY(mutex);  // null until the first event
  bool busy GUARDED_BY(mutex) = false;  // a task is running
  std::list<SerializedTask> waiting GUARDED_BY(mutex);  // std::list: no allocation when empty

  StatePtr LoadState() EXCLUDES(mutex) {
    MutexLock lock(mutex);
    return state;
  }
};

class ConnectionRegistry {
 public:
  ConnectionRegistry() = default;
  // Drops the tasks still queued (a crash or stop with commands waiting): each
  // holds its entry, so entry and task would otherwise keep each other alive.
  ~ConnectionRegistry();
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  std::shared_ptr<Entry> Find(std::string_view id) const;
  std::shared_ptr<Entry> FindOrCreate(std::string_view id);
  // Bulk load at start-up, before any command; `states` sorted by id.
  void Load(std::vector<projector::ConnectionState>&& states);

  // Calls `visit` for every entry in id order under the shared map lock;
  // `visit` must not call back into the registry.
  void ForEach(const std::function<void(const std::string&, Entry&)>& visit) const;
  // Like ForEach, from the first id after `after_id` (all if empty), until
  // `visit` returns false.
  void ForEachAfter(std::string_view after_id,
                    const std::function<bool(const std::string&, Entry&)>& visit) const;
  size_t size() const;

 private:
  mutable SharedMutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> entries_ GUARDED_BY(mutex_);
};

// Runs `task` on `entry` once every earlier task of that entry has finished.
// Tasks of different entries run in parallel; each runs on the thread that
// submitted it or the thread that finished the task before it. Returns false,
// and drops `task` without running it, when `waiting_max` tasks wait already.
bool RunSerialized(const std::shared_ptr<Entry>& entry, SerializedTask task, size_t waiting_max);

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_REGISTRY_H_
