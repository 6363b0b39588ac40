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
// The invariant (kept by GatedWalFile in wal_gate_fs.cc and WalGate::Sync)
//   A failed write-side operation on a WAL file returns its error to
//   RocksDB only while no DB::SyncWAL() runs, and only after it has set
//   `failed`; every DB::SyncWAL() runs holding the gate, and is refused
//   (before it touches any writer) once `failed` is set. Hence RocksDB's
//   writer can hold seen_error_ only while no SyncWAL runs, and no SyncWAL
//   syncs a writer after it.
//   * Store::SyncWal() calls DB::SyncWAL() only through WalGate::Sync(),
//     which skips it when `failed` is set.
//   * Inside DB::SyncWAL(), RocksDB first waits for other syncs of the logs
//     (a flush's SyncClosedLogs), then asks every log IsSyncThreadSafe()
//     before it syncs any: a gated WAL file answers false once `failed` is
//     set, and SyncWAL returns NotSupported untouched. This is the check
//     that a failure of a sync RocksDB waited for cannot slip past.
//   * Every write-side method of a WAL file (Append, PositionedAppend,
//     Truncate, Close, Flush, RangeSync, InvalidateCache, Allocate) that
//     fails calls WalGate::Fail() before it returns. Fail() takes the gate,
//     so it waits for a running SyncWAL, and then sets `failed`. Appenders
//     hold no RocksDB lock SyncWAL needs (7.8.3 appends to the WAL without
//     log_write_mutex_ unless manual_wal_flush), so this cannot deadlock.
//   * A failed Sync / Fsync of a WAL file only sets `failed` (FailSync): on
//     the sync thread it runs inside SyncWAL, holding the gate already; on
//     another thread (RocksDB's SyncClosedLogs in a flush) RocksDB has
//     marked the logs as being synced, so no SyncWAL syncs them meanwhile -
//     one that waits for them holds the gate, so taking it would deadlock -
//     and the IsSyncThreadSafe() check above stops it afterwards.
//   * No sync=true write reaches RocksDB (whose write path syncs the WAL
//     itself after marking the logs, and could then deadlock with a failing
//     append of its own group): Store::Write(sync=true) writes with
//     sync=false and then calls Store::SyncWal().
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
  // Called by a WAL file with each failed write-side operation, before the
  // error goes back to RocksDB. Waits for a running Sync() unless this
  // thread runs it.
  void Fail();
  // Called with each failed Sync / Fsync of a WAL file: sets the flag
  // without waiting (see the invariant).
  void FailSync();
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
