// DiskWatcher: follows the free space of the data dir while the server runs
// (thread "disk-watcher", one check a second).
//   * It asks the journal's free-space guard again, so that /health and the
//     log say when writes are refused for lack of space and when they are
//     accepted again, even while no write arrives.
//   * A journal opened read-only because the disk was too full at start-up
//     is reopened for writing once the filesystem has the headroom plus room
//     to flush the write-ahead log that the read-write open replays.
#ifndef CONNECTIVITY_DAEMON_DISK_WATCHER_H_
#define CONNECTIVITY_DAEMON_DISK_WATCHER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "journal/journal.h"
#include "src/base/mutex.h"

namespace connectivity::daemon {

// Bytes a read-write open of `dir` needs free: the headroom plus a flush of
// the WAL it replays (with a quarter more for table file overhead).
uint64_t BytesNeededToOpenForWriting(const std::string& dir, uint64_t headroom_bytes);

class DiskWatcher {
 public:
  // `journal` must outlive the watcher.
  DiskWatcher(journal::Journal& journal, std::string data_dir, uint64_t headroom_bytes,
              int64_t interval_us = 1'000'000);
  ~DiskWatcher();  // Stop()
  DiskWatcher(const DiskWatcher&) = delete;
  DiskWatcher& operator=(const DiskWatcher&) = delete;

  void Start();
  void Stop() EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);
  void Check();

  journal::Journal& journal_;
  const std::string data_dir_;
  const uint64_t headroom_bytes_;
  const int64_t interval_us_;

  Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace connectivity::daemon

#endif  // CONNECTIVITY_DAEMON_DISK_WATCHER_H_
