#include "storage/fault_injection_fs.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace connectivity::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;
using FileState = FaultInjectionFileSystem::FileState;
using WriteKind = FaultInjectionFileSystem::WriteKind;

// A writable file that asks the file system before every write or sync and
// reports what reached the file and what was made durable.
class TrackedWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedWritableFile(std::unique_ptr<rocksdb::FSWritableFile> target, std::string name,
                      FaultInjectionFileSystem* fs, std::shared_ptr<FileState> state)
      : FSWritableFileOwnerWrapper(std::move(target)),
        name_(std::move(name)),
        fs_(fs),
        state_(std::move(state)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kAppend, [&] { return target()->Append(data, options, debug); }, [&] { fs_->RecordAppend(*state_, data.size()); });
  }

  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kAppend, [&] { return target()->Append(data, options, info, debug); }, [&] { fs_->RecordAppend(*state_, data.size()); });
  }

  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kAppend, [&] { return target()->PositionedAppend(data, offset, options, debug); }, [&] { fs_->RecordWriteAt(*state_, offset + data.size()); });
  }

  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kAppend, [&] { return target()->PositionedAppend(data, offset, options, info, debug); }, [&] { fs_->RecordWriteAt(*state_, offset + data.size()); });
  }

  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kMetadata, [&] { return target()->Truncate(size, options, debug); }, [&] { fs_->RecordTruncate(*state_, size); });
  }

  IOStatus Sync(const IOOptions& options, IODebugContext* debug) override {
    // The journal syncs from one thread while it appends from another.
    const uint64_t covered = fs_->SizeOf(*state_);
    return fs_->Guarded(
        name_, WriteKind::kSync, [&] { return target()->Sync(options, debug); }, [&] { fs_->RecordSync(*state_, covered); });
  }

  IOStatus Fsync(const IOOptions& options, IODebugContext* debug) override {
    // The journal syncs from one thread while it appends from another.
    const uint64_t covered = fs_->SizeOf(*state_);
    return fs_->Guarded(
        name_, WriteKind::kSync, [&] { return target()->Fsync(options, debug); }, [&] { fs_->RecordSync(*state_, covered); });
  }

  // Not counted as durable: sync_file_range does not persist metadata.
  IOStatus RangeSync(uint64_t offset, uint64_t bytes, const IOOptions& options,
                     IODebugContext* debug) override {
    return fs_->Guarded(
        name_, WriteKind::kSync, [&] { return target()->RangeSync(offset, bytes, options, debug); }, [&] {  });
  }

 private:
  const std::string name_;
  FaultInjectionFileSystem* const fs_;
  const std::shared_ptr<FileState> state_;
};

// A table file whose reads can be made to fail.
class FaultyRandomAccessFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultyRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> target, std::string name,
                         FaultInjectionFileSystem* fs)
      : FSRandomAccessFileOwnerWrapper(std::move(target)), name_(std::move(name)), fs_(fs) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions& options, Slice* result, char* scratch,
                IODebugContext* debug) const override {
    IOStatus s = fs_->CheckRead(name_);
    if (!s.ok()) return s;
    return target()->Read(offset, n, options, result, scratch, debug);
  }

  IOStatus MultiRead(rocksdb::FSReadRequest* requests, size_t count, const IOOptions& options,
                     IODebugContext* debug) override {
    IOStatus s = fs_->CheckRead(name_);
    if (!s.ok()) {
      for (size_t i = 0; i < count; ++i) requests[i].status = s;
      return s;
    }
    return target()->MultiRead(requests, count, options, debug);
  }

 private:
  const std::string name_;
  FaultInjectionFileSystem* const fs_;
};

IOStatus Frozen(const std::string& name) {
  return IOStatus::IOError("simulated crash: the file system is frozen", name);
}

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
    : FileSystemWrapper(base) {}

void FaultInjectionFileSystem::SetFaults(const Faults& faults) {
  MutexLock lock(mutex_);
  faults_ = faults;
}

bool FaultInjectionFileSystem::Matches(const std::string& name) const {
  const std::string& suffix = faults_.file_suffix;
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void FaultInjectionFileSystem::HoldSyncs(std::string file_suffix) {
  MutexLock lock(mutex_);
  hold_suffix_ = std::move(file_suffix);
}

void FaultInjectionFileSystem::WaitUntilSyncHeld() {
  MutexLock lock(mutex_);
  while (syncs_held_ == 0) hold_changed_.Wait(lock);
}

void FaultInjectionFileSystem::ReleaseSyncs() {
  MutexLock lock(mutex_);
  hold_suffix_.reset();
  hold_changed_.NotifyAll();
}

bool FaultInjectionFileSystem::SyncHeld(const std::string& name) const {
  return hold_suffix_ && name.size() >= hold_suffix_->size() &&
         name.compare(name.size() - hold_suffix_->size(), hold_suffix_->size(), *hold_suffix_) == 0;
}

void FaultInjectionFileSystem::WaitWhileSyncHeld(const std::string& name, WriteKind kind) {
  if (kind != WriteKind::kSync) return;
  MutexLock lock(mutex_);
  if (!SyncHeld(name)) return;
  ++syncs_held_;
  hold_changed_.NotifyAll();
  while (SyncHeld(name)) hold_changed_.Wait(lock);
  --syncs_held_;
}

void FaultInjectionFileSystem::PlanPowerLoss(uint64_t writes, std::function<void()> power_loss) {
  MutexLock lock(mutex_);
  power_loss_ = std::move(power_loss);
  writes_until_power_loss_.store(writes);
}

void FaultInjectionFileSystem::CountWriteTowardsPowerLoss() {
  uint64_t left = writes_until_power_loss_.load();
  while (left > 0 && !writes_until_power_loss_.compare_exchange_weak(left, left - 1)) {
  }
  if (left != 1) return;  // not planned, or not this write
  std::function<void()> power_loss;
  {
    MutexLock lock(mutex_);
    power_loss = power_loss_;
  }
  if (power_loss) power_loss();
}

IOStatus FaultInjectionFileSystem::CheckWrite(const std::string& name, WriteKind kind) {
  MutexLock lock(mutex_);
  if (crashed_) return Frozen(name);
  const bool fail = (kind == WriteKind::kSync && faults_.fail_sync) ||
                    (kind == WriteKind::kAppend && faults_.fail_append);
  if (!fail || !Matches(name)) return IOStatus::OK();
  injected_failures_.fetch_add(1);
  return IOStatus::IOError(
      kind == WriteKind::kSync ? "injected sync failure" : "injected append failure", name);
}

IOStatus FaultInjectionFileSystem::CheckRead(const std::string& name) {
  MutexLock lock(mutex_);
  if (!faults_.fail_read || !Matches(name)) return IOStatus::OK();
  injected_failures_.fetch_add(1);
  return IOStatus::IOError("injected read failure", name);
}

void FaultInjectionFileSystem::RecordAppend(FileState& state, uint64_t bytes) {
  MutexLock lock(mutex_);
  state.size += bytes;
}

uint64_t FaultInjectionFileSystem::SizeOf(const FileState& state) {
  MutexLock lock(mutex_);
  return state.size;
}

void FaultInjectionFileSystem::RecordSync(FileState& state, uint64_t covered) {
  MutexLock lock(mutex_);
  state.synced_size = std::max(state.synced_size, std::min(covered, state.size));
}

void FaultInjectionFileSystem::RecordWriteAt(FileState& state, uint64_t end) {
  MutexLock lock(mutex_);
  state.size = std::max(state.size, end);
}

void FaultInjectionFileSystem::RecordTruncate(FileState& state, uint64_t size) {
  MutexLock lock(mutex_);
  state.size = size;
  state.synced_size = std::min(state.synced_size, size);
}

std::shared_ptr<FileState> FaultInjectionFileSystem::Track(const std::string& name, uint64_t size,
                                                           uint64_t synced_size) {
  auto state = std::make_shared<FileState>();
  state->size = size;
  state->synced_size = synced_size;
  MutexLock lock(mutex_);
  files_[name] = state;
  return state;
}

void FaultInjectionFileSystem::SimulateCrash() {
  // Waits for every write in flight: after this, nothing reaches the files.
  WriterLock io(io_mutex_);
  MutexLock lock(mutex_);
  crashed_ = true;
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  MutexLock lock(mutex_);
  if (!crashed_) return Status::InvalidArgument("DropUnsyncedData() needs SimulateCrash() first");
  for (const auto& [name, state] : files_) {
    if (state->size <= state->synced_size) continue;
    // RocksDB's POSIX file system has no Truncate(name); the base file
    // system is the local one, so truncate the file directly.
    if (::truncate(name.c_str(), static_cast<off_t>(state->synced_size)) != 0 && errno != ENOENT) {
      return Status::IOError("cannot drop unsynced data of " + name + ": " + std::strerror(errno));
    }
  }
  files_.clear();
  crashed_ = false;
  return Status::Ok();
}

uint64_t FaultInjectionFileSystem::unsynced_bytes() const {
  MutexLock lock(mutex_);
  uint64_t total = 0;
  for (const auto& [name, state] : files_) {
    if (state->size > state->synced_size) total += state->size - state->synced_size;
  }
  return total;
}

IOStatus FaultInjectionFileSystem::NewWritableFile(const std::string& name,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   IODebugContext* debug) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = Guarded(name, WriteKind::kMetadata, [&] { return target()->NewWritableFile(name, options, &file, debug); }, [] {});
  if (!s.ok()) return s;
  result->reset(new TrackedWritableFile(std::move(file), name, this, Track(name, 0, 0)));
  return s;
}

IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* debug) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = Guarded(name, WriteKind::kMetadata, [&] { return target()->ReopenWritableFile(name, options, &file, debug); }, [] {});
  if (!s.ok()) return s;
  std::shared_ptr<FileState> state;
  {
    MutexLock lock(mutex_);
    auto it = files_.find(name);
    if (it != files_.end()) state = it->second;
  }
  if (state == nullptr) {
    // Not written through us: what is there now counts as durable.
    const uint64_t size = file->GetFileSize(rocksdb::IOOptions(), debug);
    state = Track(name, size, size);
  }
  result->reset(new TrackedWritableFile(std::move(file), name, this, std::move(state)));
  return s;
}

IOStatus FaultInjectionFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* debug) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = Guarded(name, WriteKind::kMetadata, [&] { return target()->ReuseWritableFile(name, old_name, options, &file, debug); }, [] {});
  if (!s.ok()) return s;
  {
    MutexLock lock(mutex_);
    files_.erase(old_name);
  }
  result->reset(new TrackedWritableFile(std::move(file), name, this, Track(name, 0, 0)));
  return s;
}

IOStatus FaultInjectionFileSystem::NewRandomAccessFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* result, IODebugContext* debug) {
  std::unique_ptr<rocksdb::FSRandomAccessFile> file;
  IOStatus s = target()->NewRandomAccessFile(name, options, &file, debug);
  if (!s.ok()) return s;
  result->reset(new FaultyRandomAccessFile(std::move(file), name, this));
  return s;
}

IOStatus FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to,
                                              const IOOptions& options, IODebugContext* debug) {
  IOStatus s = Guarded(from, WriteKind::kMetadata,
                       [&] { return target()->RenameFile(from, to, options, debug); }, [] {});
  if (!s.ok()) return s;
  MutexLock lock(mutex_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  } else {
    files_.erase(to);  // replaced by a file that counts as durable
  }
  return s;
}

IOStatus FaultInjectionFileSystem::DeleteFile(const std::string& name, const IOOptions& options,
                                              IODebugContext* debug) {
  IOStatus s = Guarded(name, WriteKind::kMetadata,
                       [&] { return target()->DeleteFile(name, options, debug); }, [] {});
  if (s.ok()) {
    MutexLock lock(mutex_);
    files_.erase(name);
  }
  return s;
}

IOStatus FaultInjectionFileSystem::Truncate(const std::string& name, size_t size,
                                            const IOOptions& options, IODebugContext* debug) {
  IOStatus s = Guarded(name, WriteKind::kMetadata,
                       [&] { return target()->Truncate(name, size, options, debug); }, [] {});
  if (!s.ok()) return s;
  std::shared_ptr<FileState> state;
  {
    MutexLock lock(mutex_);
    auto it = files_.find(name);
    if (it != files_.end()) state = it->second;
  }
  if (state != nullptr) RecordTruncate(*state, size);
  return s;
}

FaultInjectionEnv MakeFaultInjectionEnv() {
  FaultInjectionEnv result;
  result.fs = std::make_shared<FaultInjectionFileSystem>();
  result.env = rocksdb::NewCompositeEnv(result.fs);
  return result;
}

}  // namespace connectivity::storage
