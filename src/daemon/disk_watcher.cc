#include "src/daemon/disk_watcher.h"

#include <pthread.h>

#include <chrono>

#include "src/base/log.h"
#include "storage/free_space.h"

namespace connectivity::daemon {

uint64_t BytesNeededToOpenForWriting(const std::string& dir, uint64_t headroom_bytes) {
  const uint64_t wal = storage::WalBytes(dir);
  return headroom_bytes + wal + wal / 4;
}

DiskWatcher::DiskWatcher(journal::Journal& journal, std::string data_dir, uint64_t headroom_bytes,
                         int64_t interval_us)
    : journal_(journal),
      data_dir_(std::move(data_dir)),
      headroom_bytes_(headroom_bytes),
      interval_us_(interval_us) {}

DiskWatcher::~DiskWatcher() { Stop(); }

void DiskWatcher::Start() {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "disk-watcher");
}

void DiskWatcher::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void DiskWatcher::Run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(interval_us_);
    while (!stopping_ && wake_.WaitUntil(lock, deadline)) {
    }
    if (stopping_) break;
    lock.Unlock();
    Check();
    lock.Lock();
  }
}

void DiskWatcher::Check() {
  if (!journal_.read_only_for_space()) {
    journal_.RefreshSpace();
    return;
  }
  Result<uint64_t> free = storage::FreeBytes(data_dir_);
  const uint64_t needed = BytesNeededToOpenForWriting(data_dir_, headroom_bytes_);
  if (!free.ok() || *free < needed) return;
  const Status reopened = journal_.ReopenForWriting();
  if (reopened.ok()) {
    log::Info("journal", "the disk has room again (" + storage::FormatBytes(*free) +
                             " free): reopened for writing; writes are accepted");
  } else {
    log::Error("journal", "reopening for writing failed, still read-only: " + reopened.ToString());
  }
}

}  // namespace connectivity::daemon
