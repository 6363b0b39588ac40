#include "storage/wal_gate_fs.h"

#include <string>
#include <utility>

namespace connectivity::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// The gate this thread holds inside WalGate::Sync (null: none).
thread_local const WalGate* held_gate = nullptr;

// A WAL file: forwards everything; a failure reports to the gate before it
// returns (wal_gate_fs.h: the invariant).
class GatedWalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  GatedWalFile(std::unique_ptr<rocksdb::FSWritableFile> target, std::shared_ptr<WalGate> gate)
      : FSWritableFileOwnerWrapper(std::move(target)), gate_(std::move(gate)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* debug) override {
    return Checked(target()->Append(data, options, debug));
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* debug) override {
    return Checked(target()->Append(data, options, info, debug));
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* debug) override {
    return Checked(target()->PositionedAppend(data, offset, options, debug));
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* debug) override {
    return Checked(target()->PositionedAppend(data, offset, options, info, debug));
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* debug) override {
    return Checked(target()->Truncate(size, options, debug));
  }
  IOStatus Close(const IOOptions& options, IODebugContext* debug) override {
    return Checked(target()->Close(options, debug));
  }
  IOStatus Flush(const IOOptions& options, IODebugContext* debug) override {
    return Checked(target()->Flush(options, debug));
  }
  // RocksDB runs at most one sync of a WAL at a time (it marks the logs it
  // syncs), so a failing sync never overlaps a DB::SyncWAL() on the same
  // file; a SyncWAL that waits for it inside RocksDB sees the flag in
  // IsSyncThreadSafe() afterwards. Hence no waiting for the gate here (that
  // waiting would deadlock: SyncWAL, holding the gate, waits for this sync).
  IOStatus Sync(const IOOptions& options, IODebugContext* debug) override {
    return CheckedSync(target()->Sync(options, debug));
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* debug) override {
    return CheckedSync(target()->Fsync(options, debug));
  }
  // DB::SyncWAL() asks this of every log it is about to sync, under its
  // log mutex, after waiting for other syncs of them and before touching
  // any writer: false makes it return NotSupported without a sync. This is
  // the flag check that no other sync can slip past.
  bool IsSyncThreadSafe() const override {
    return !gate_->failed() && target()->IsSyncThreadSafe();
  }
  IOStatus RangeSync(uint64_t offset, uint64_t bytes, const IOOptions& options,
                     IODebugContext* debug) override {
    return Checked(target()->RangeSync(offset, bytes, options, debug));
  }
  IOStatus InvalidateCache(size_t offset, size_t length) override {
    return Checked(target()->InvalidateCache(offset, length));
  }
  IOStatus Allocate(uint64_t offset, uint64_t length, const IOOptions& options,
                    IODebugContext* debug) override {
    return Checked(target()->Allocate(offset, length, options, debug));
  }

 private:
  // The happy path: one branch, no lock.
  IOStatus Checked(IOStatus status) {
    if (!status.ok()) gate_->Fail();
    return status;
  }
  IOStatus CheckedSync(IOStatus status) {
    if (!status.ok()) gate_->FailSync();
    return status;
  }

  const std::shared_ptr<WalGate> gate_;
};

// Wraps every writable WAL file, however RocksDB obtains it.
class WalGateFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  WalGateFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base, std::shared_ptr<WalGate> gate)
      : FileSystemWrapper(base), gate_(std::move(gate)) {}
  const char* Name() const override { return "WalGateFileSystem"; }

  IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                           IODebugContext* debug) override {
    return Wrap(name, target()->NewWritableFile(name, options, result, debug), result);
  }
  IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                              IODebugContext* debug) override {
    return Wrap(name, target()->ReopenWritableFile(name, options, result, debug), result);
  }
  IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                             const rocksdb::FileOptions& options,
                             std::unique_ptr<rocksdb::FSWritableFile>* result,
                             IODebugContext* debug) override {
    return Wrap(name, target()->ReuseWritableFile(name, old_name, options, result, debug), result);
  }

 private:
  IOStatus Wrap(const std::string& name, IOStatus status,
                std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (status.ok() && IsWalFileName(name)) {
      *result = std::make_unique<GatedWalFile>(std::move(*result), gate_);
    }
    return status;
  }

  const std::shared_ptr<WalGate> gate_;
};

}  // namespace

Status WalGate::Sync(const std::function<Status()>& sync) {
  MutexLock lock(mutex_);
  if (failed()) {
    return Status::IOError("a write to the WAL failed earlier; the WAL is not synced again");
  }
  syncs_.fetch_add(1, std::memory_order_relaxed);
  held_gate = this;
  Status synced = sync();
  held_gate = nullptr;
  return synced;
}

void WalGate::Fail() {
  if (held_gate == this) {
    // A sync failing inside Sync() on this thread: the gate is ours already.
    failed_.store(true, std::memory_order_release);
    return;
  }
  MutexLock lock(mutex_);  // waits for a running DB::SyncWAL()
  failed_.store(true, std::memory_order_release);
}

void WalGate::FailSync() { failed_.store(true, std::memory_order_release); }

bool IsWalFileName(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  constexpr std::string_view kSuffix = ".log";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  for (const char c : name.substr(0, name.size() - kSuffix.size())) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::shared_ptr<rocksdb::FileSystem> NewWalGateFileSystem(
    const std::shared_ptr<rocksdb::FileSystem>& base, std::shared_ptr<WalGate> gate) {
  return std::make_shared<WalGateFileSystem>(base, std::move(gate));
}

}  // namespace connectivity::storage
