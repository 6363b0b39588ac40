// FaultInjectionFileSystem: a RocksDB FileSystem for tests (library
// `storage_testing`, never linked into the server) that sits between RocksDB
// and the real file system and
//   (a) fails writes, syncs or reads on demand, so tests can check what the
//       journal does when the disk fails (SPEC §5: stop acknowledging);
//   (b) simulates power loss: it tracks, per file written through it, the
//       length last made durable by Sync/Fsync, and at a simulated crash
//       truncates every such file back to that length, dropping every byte
//       that was not yet synced. A reopen then sees only synced data.
//
// Usage
//   FaultInjectionEnv fault = MakeFaultInjectionEnv();
//   options.env = fault.env.get();            // StoreOptions or JournalOptions
//   ... open, write ...
//   fault.fs->SimulateCrash();                // freeze: later writes fail
//   ... close the database (its last writes fail, as after a real crash) ...
//   ASSERT_TRUE(fault.fs->DropUnsyncedData().ok());
//   ... reopen with the same env ...
//
// Model and limits
//   * Only files created through this file system are tracked; files that
//     existed before count as durable. RangeSync does not count as durable
//     (sync_file_range does not persist metadata).
//   * Directory entries (create, rename, delete) are treated as durable at
//     once: RocksDB syncs its directories itself, and the journal's promise
//     is about data in the WAL, which this models byte by byte.
//   * The base file system must be the local one (the default): dropping
//     unsynced bytes truncates the real files.
//   * Thread-safe; one mutex guards the tracking (tests only, not fast).
//     Writes in flight hold a shared lock that SimulateCrash() takes
//     exclusively, so a crash in the middle of a running server (the test
//     binary connectivityd-faultfs) waits for them and nothing reaches the
//     files after it.
#ifndef CONNECTIVITY_STORAGE_FAULT_INJECTION_FS_H_
#define CONNECTIVITY_STORAGE_FAULT_INJECTION_FS_H_

#include <atomic>
#include <functional>
#include <optional>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "src/base/mutex.h"
#include "src/base/status.h"

namespace connectivity::storage {

// Which operations fail. Applies to files whose name ends with
// `file_suffix` (e.g. ".log" for the WAL only); empty means every file.
struct Faults {
  bool fail_append = false;  // Append / PositionedAppend of writable files
  bool fail_sync = false;    // Sync / Fsync / RangeSync of writable files
  bool fail_read = false;    // Read / MultiRead of random-access (table) files
  std::string file_suffix;
};

class FaultInjectionFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // Tracking state of one written file, shared with its open handles so
  // that a rename while open keeps counting on the right entry.
  struct FileState {
    uint64_t size = 0;         // bytes appended so far
    uint64_t synced_size = 0;  // bytes made durable by the last Sync/Fsync
  };

  explicit FaultInjectionFileSystem(
      const std::shared_ptr<rocksdb::FileSystem>& base = rocksdb::FileSystem::Default());

  const char* Name() const override { return "FaultInjectionFileSystem"; }

  // --- failures on demand ---
  void SetFaults(const Faults& faults) EXCLUDES(mutex_);
  void ClearFaults() EXCLUDES(mutex_) { SetFaults(Faults{}); }
  // How many operations failed because of SetFaults (tests assert > 0, so
  // that a test cannot pass without the fault having been hit).
  uint64_t injected_failures() const { return injected_failures_.load(); }

  // --- a slow disk ---
  // From now on a sync of a file ending in `file_suffix` blocks until
  // ReleaseSyncs(): the journal's commit thread then sits in its fsync,
  // which lets a test queue requests behind a batch in flight.
  void HoldSyncs(std::string file_suffix) EXCLUDES(mutex_);
  // Blocks until a sync is being held.
  void WaitUntilSyncHeld() EXCLUDES(mutex_);
  void ReleaseSyncs() EXCLUDES(mutex_);

  // --- power loss ---
  // From now on every write, sync, file creation, rename and delete fails,
  // as if the machine had stopped. Close the database afterwards (or, in a
  // running process, drop the unsynced data and die at once).
  void SimulateCrash() EXCLUDES(mutex_);
  // REQUIRES: SimulateCrash() was called and the database is closed.
  // Truncates every tracked file to its last synced length, forgets the
  // tracking and unfreezes the file system.
  Status DropUnsyncedData() EXCLUDES(mutex_);
  // Bytes written but not yet synced, over all tracked files.
  uint64_t unsynced_bytes() const EXCLUDES(mutex_);
  // Calls `power_loss` on the writing thread right after the `writes`-th
  // append or sync from now on (0: none planned).
  void PlanPowerLoss(uint64_t writes, std::function<void()> power_loss) EXCLUDES(mutex_);

  // --- hooks (called by the file wrappers) ---
  enum class WriteKind {
    kAppend,    // data written to a file: fails with fail_append or a crash
    kSync,      // Sync / Fsync / RangeSync: fails with fail_sync or a crash
    kMetadata,  // create, rename, delete, truncate: fails only after a crash
  };
  // Runs one write-kind operation `op` (and `record` if it succeeded): waits
  // while syncs of `name` are held (HoldSyncs), then, counted as in flight
  // so that SimulateCrash() waits for it, checks the faults and runs it.
  template <typename Op, typename Record>
  rocksdb::IOStatus Guarded(const std::string& name, WriteKind kind, Op op, Record record) {
    WaitWhileSyncHeld(name, kind);
    rocksdb::IOStatus s;
    {
      ReaderLock io(io_mutex_);
      s = CheckWrite(name, kind);
      if (s.ok()) s = op();
      if (s.ok()) record();
    }
    if (s.ok() && kind != WriteKind::kMetadata) CountWriteTowardsPowerLoss();
    return s;
  }
  rocksdb::IOStatus CheckWrite(const std::string& name, WriteKind kind) EXCLUDES(mutex_);
  rocksdb::IOStatus CheckRead(const std::string& name) EXCLUDES(mutex_);
  void RecordAppend(FileState& state, uint64_t bytes) EXCLUDES(mutex_);
  void RecordWriteAt(FileState& state, uint64_t end) EXCLUDES(mutex_);
  // The file's size now: a sync that starts after this covers it.
  uint64_t SizeOf(const FileState& state) EXCLUDES(mutex_);
  // A sync covered the first `covered` bytes (its SizeOf before it began;
  // appends that ran while it did are not counted as durable).
  void RecordSync(FileState& state, uint64_t covered) EXCLUDES(mutex_);
  void RecordTruncate(FileState& state, uint64_t size) EXCLUDES(mutex_);

  // --- FileSystem overrides ---
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& name,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus Truncate(const std::string& name, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override;

 private:
  bool Matches(const std::string& name) const REQUIRES(mutex_);
  bool SyncHeld(const std::string& name) const REQUIRES(mutex_);
  void WaitWhileSyncHeld(const std::string& name, WriteKind kind) EXCLUDES(mutex_);
  void CountWriteTowardsPowerLoss() EXCLUDES(mutex_);
  std::shared_ptr<FileState> Track(const std::string& name, uint64_t size, uint64_t synced_size)
      EXCLUDES(mutex_);

  // Also guards every FileState (which the analysis cannot see).
  mutable Mutex mutex_;
  Faults faults_ GUARDED_BY(mutex_);
  bool crashed_ GUARDED_BY(mutex_) = false;
  // Every file written through this file system, by current name.
  std::map<std::string, std::shared_ptr<FileState>> files_ GUARDED_BY(mutex_);
  std::atomic<uint64_t> injected_failures_{0};
  CondVar hold_changed_;
  std::optional<std::string> hold_suffix_ GUARDED_BY(mutex_);  // set: syncs are held
  size_t syncs_held_ GUARDED_BY(mutex_) = 0;
  // Shared by every write in flight; SimulateCrash() takes it exclusively.
  SharedMutex io_mutex_;
  std::atomic<uint64_t> writes_until_power_loss_{0};
  std::function<void()> power_loss_ GUARDED_BY(mutex_);
};

// The file system and an Env over it, for StoreOptions::env and
// JournalOptions::env. Keep it alive longer than every database using it.
struct FaultInjectionEnv {
  std::shared_ptr<FaultInjectionFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
};

FaultInjectionEnv MakeFaultInjectionEnv();

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_FAULT_INJECTION_FS_H_
