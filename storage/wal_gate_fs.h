// WalGate and the file system that enforces it: keep RocksDB 7.8.3 from
// calling DB::SyncWAL() on a WAL writer that has seen a failed write.
//
// Why
//   In RocksDB 7.8.3 (Debian keeps its assertions) a WritableFileWriter
//   that saw a failed Append/Flush aborts the process on its next call
//   (AssertFalseAndGetStatusForPrevError asserts sync_without_flush_called_,
//   which only a failed SyncWithoutFlush sets). DB::SyncWAL() runs
//   SyncWithoutFlush on every live WAL writer without checking any error
//   flag of the DB, and it runs on the journal's sync thread while the
//   commit thread (or a snapshot writer) appends to the same WAL. So "check
//   a flag, then call SyncWAL" alone races with an append that fails in
//   between.
//
// The invariant (kept by GatedWalFile and WalGate::Sync below)
//   A failed operation on a WAL file returns its error to RocksDB only
//   while no DB::SyncWAL() runs, and only after it has set `failed`; every
//   DB::SyncWAL() runs holding the gate and only if `failed` was clear when
//   it took the gate. Hence RocksDB's writer can hold seen_error_ only while
//   no SyncWAL runs, and no SyncWAL starts after it.
//   * Store::SyncWal() calls DB::SyncWAL() only through WalGate::Sync().
//   * Every IOStatus-returning method of a WAL file (Append,
//     PositionedAppend, Truncate, Close, Flush, Sync, Fsync, RangeSync,
//     InvalidateCache, Allocate) that fails calls WalGate::Fail() before it
//     returns. Fail() takes the gate (so it waits for a running SyncWAL) -
//     except on the thread that holds it (a sync failing inside SyncWAL),
//     which only sets the flag. Failures of RocksDB's own syncs on other
//     threads (SyncClosedLogs in a flush, a sync=true write) take the gate
//     like appends do.
//   * The happy path takes no lock: a successful operation only forwards.
//
// WAL files are recognised by name: "<digits>.log" (RocksDB's
// LogFileName); the info log ("LOG") and table files are not gated.
//
// Threads: any. One WalGate per read-write Store.
#ifndef CONNECTIVITY_STORAGE_WAL_GATE_FS_H_
#define CONNECTIVITY_STORAGE_WAL_GATE_FS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include <rocksdb/file_system.h>

#include "src/base/mutex.h"
#include "src/base/status.h"

namespace connectivity::storage {

class WalGate {
 public:
  // Runs `sync` (the DB::SyncWAL() call) holding the gate, unless an
  // operation on a WAL file has failed: then returns kIOError without
  // calling it. The calling thread counts as holding the gate while `sync`
  // runs (a failure of its own sync does not re-lock).
  Status Sync(const std::function<Status()>& sync) EXCLUDES(mutex_);
  // Called by a WAL file with each failed operation, before the error goes
  // back to RocksDB. Waits for a running Sync() unless this thread runs it.
  void Fail();
  // An operation on a WAL file has failed (set by Fail(), never cleared).
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // How many times Sync() called `sync` (tests: no SyncWAL after a failure).
  uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }

 private:
  Mutex mutex_;
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> syncs_{0};
};

// True for RocksDB WAL file names ("<dir>/000012.log").
bool IsWalFileName(std::string_view path);

// A file system over `base` whose WAL files report failures to `gate`.
std::shared_ptr<rocksdb::FileSystem> NewWalGateFileSystem(
    const std::shared_ptr<rocksdb::FileSystem>& base, std::shared_ptr<WalGate> gate);

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_WAL_GATE_FS_H_
