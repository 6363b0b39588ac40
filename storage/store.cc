#include "storage/store.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <system_error>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <rocksdb/listener.h>

#include "src/base/check.h"
#include "src/base/log.h"
#include "src/base/mutex.h"
#include "storage/free_space.h"
#include "storage/info_log.h"
#include "storage/rocksdb_options.h"
#include "storage/wal_gate_fs.h"

namespace connectivity::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }
std::string_view ToView(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// RocksDB reports a held LOCK as an IOError naming the LOCK file: "While
// lock file: DIR/LOCK: Resource temporarily unavailable" (another process)
// or "lock hold by current process ... DIR/LOCK" (this process). Other
// errors on that file (permissions) read "while open a file for lock".
bool IsLockError(const rocksdb::Status& status) {
  if (!status.IsIOError()) return false;
  const std::string text = status.ToString();
  return text.find("/LOCK") != std::string::npos &&
         (text.find("While lock file") != std::string::npos ||
          text.find("lock hold by current process") != std::string::npos);
}

Status BusyError(const std::string& dir, const rocksdb::Status& status) {
  return Status::Busy("the data directory " + dir +
                      " is in use by another process (its RocksDB LOCK is held): " +
                      status.ToString());
}

// Fails fast with kBusy when another writer holds the directory, before
// RocksDB opens its info log (which would rotate the owner's LOG file).
Status CheckNotLocked(rocksdb::Env* env, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::IOError("cannot create the data directory " + dir + ": " + error.message());
  }
  rocksdb::FileLock* lock = nullptr;
  const rocksdb::Status locked = env->LockFile(dir + "/LOCK", &lock);
  if (!locked.ok()) {
    return IsLockError(locked) ? BusyError(dir, locked) : FromRocksDb(locked);
  }
  return FromRocksDb(env->UnlockFile(lock));
}

// The secondary's own files must not land in the data dir (SPEC §6).
Status CheckSecondaryPath(const std::string& dir, const std::string& secondary_path) {
  if (secondary_path.empty()) {
    return Status::InvalidArgument("a secondary open needs a secondary path outside " + dir);
  }
  std::error_code data_error;
  std::error_code secondary_error;
  const auto data = std::filesystem::weakly_canonical(dir, data_error);
  const auto secondary = std::filesystem::weakly_canonical(secondary_path, secondary_error);
  if (data_error || secondary_error) {
    return Status::InvalidArgument("cannot resolve " + dir + " or " + secondary_path);
  }
  const auto [data_end, secondary_end] =
      std::mismatch(data.begin(), data.end(), secondary.begin(), secondary.end());
  (void)secondary_end;
  if (data_end == data.end()) {
    return Status::InvalidArgument("the secondary path " + secondary_path +
                                   " must be outside the data directory " + dir);
  }
  return Status::Ok();
}

// Hears RocksDB's background errors (a failed flush or compaction) and keeps
// RocksDB from recovering by itself: its recovery flushes, and a flush after
// a failed WAL write aborts the process (store.h). Runs on RocksDB's threads.
class BackgroundErrorListener final : public rocksdb::EventListener {
 public:
  using Report = std::function<void(const rocksdb::Status&)>;
  explicit BackgroundErrorListener(Report report) : report_(std::move(report)) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (error != nullptr && !error->ok()) report_(*error);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    if (auto_recovery != nullptr) *auto_recovery = false;
  }

 private:
  Report report_;
};

}  // namespace

// The first write or background error; read by every later write.
struct Store::WriteErrorState {
  mutable Mutex mutex;
  Status error GUARDED_BY(mutex);

  // Keeps the first error; returns true if this one was the first.
  bool Record(const Status& status) EXCLUDES(mutex) {
    MutexLock lock(mutex);
    if (!error.ok()) return false;
    error = status;
    return true;
  }
  Status Get() const EXCLUDES(mutex) {
    MutexLock lock(mutex);
    return error;
  }
};

Status FromRocksDb(const rocksdb::Status& status) {
  if (status.ok()) return Status::Ok();
  std::string message = "rocksdb: " + status.ToString();
  switch (status.code()) {
    case rocksdb::Status::kNotFound: return Status::NotFound(std::move(message));
    case rocksdb::Status::kCorruption: return Status::Corruption(std::move(message));
    case rocksdb::Status::kIOError: return Status::IOError(std::move(message));
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported: return Status::InvalidArgument(std::move(message));
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut: return Status::Unavailable(std::move(message));
    default: return Status::Internal(std::move(message));
  }
}

// --- WriteBatch ---

WriteBatch::WriteBatch(const Store& store)
    : store_(store), rep_(std::make_unique<rocksdb::WriteBatch>()) {}

WriteBatch::~WriteBatch() = default;

void WriteBatch::Put(ColumnFamily cf, std::string_view key, std::string_view value) {
  const rocksdb::Status s = rep_->Put(store_.handle(cf), ToSlice(key), ToSlice(value));
  if (!s.ok() && first_error_.ok()) first_error_ = FromRocksDb(s);
}

void WriteBatch::Delete(ColumnFamily cf, std::string_view key) {
  const rocksdb::Status s = rep_->Delete(store_.handle(cf), ToSlice(key));
  if (!s.ok() && first_error_.ok()) first_error_ = FromRocksDb(s);
}

void WriteBatch::DeleteRange(ColumnFamily cf, std::string_view begin, std::string_view end) {
  const rocksdb::Status s = rep_->DeleteRange(store_.handle(cf), ToSlice(begin), ToSlice(end));
  if (!s.ok() && first_error_.ok()) first_error_ = FromRocksDb(s);
}

void WriteBatch::Clear() {
  rep_->Clear();
  first_error_ = Status::Ok();
}

uint32_t WriteBatch::Count() const { return rep_->Count(); }
size_t WriteBatch::ByteSize() const { return rep_->GetDataSize(); }

// --- Iterator ---

struct Iterator::Bounds {
  std::string lower;
  std::string upper;
  rocksdb::Slice lower_slice;
  rocksdb::Slice upper_slice;
};

Iterator::Iterator(std::unique_ptr<Bounds> bounds, std::unique_ptr<rocksdb::Iterator> rep)
    : bounds_(std::move(bounds)), rep_(std::move(rep)) {}

Iterator::~Iterator() {
  rep_.reset();  // before the bounds it points into
}

bool Iterator::Valid() const { return rep_->Valid(); }
std::string_view Iterator::key() const { return ToView(rep_->key()); }
std::string_view Iterator::value() const { return ToView(rep_->value()); }
void Iterator::SeekToFirst() { rep_->SeekToFirst(); }
void Iterator::SeekToLast() { rep_->SeekToLast(); }
void Iterator::Seek(std::string_view target) { rep_->Seek(ToSlice(target)); }
void Iterator::SeekForPrev(std::string_view target) { rep_->SeekForPrev(ToSlice(target)); }
void Iterator::Next() { rep_->Next(); }
void Iterator::Prev() { rep_->Prev(); }
Status Iterator::status() const { return FromRocksDb(rep_->status()); }

// --- Store ---

Store::Store(std::string dir, OpenMode mode)
    : dir_(std::move(dir)), mode_(mode), write_error_(std::make_shared<WriteErrorState>()) {}

Store::~Store() { (void)Close(); }

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  rocksdb::Env* env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  if (options.mode == OpenMode::kReadWrite) {
    CONNECTIVITY_RETURN_IF_ERROR(CheckNotLocked(env, dir));
  } else if (options.mode == OpenMode::kSecondary) {
    CONNECTIVITY_RETURN_IF_ERROR(CheckSecondaryPath(dir, options.secondary_path));
  }
  std::unique_ptr<Store> store(new Store(dir, options.mode));
  store->disk_headroom_bytes_ = options.disk_headroom_bytes;
  store->env_ = env;
  if (options.mode == OpenMode::kReadWrite) {
    store->wal_gate_ = std::make_shared<WalGate>();
    store->gated_env_ =
        rocksdb::NewCompositeEnv(NewWalGateFileSystem(env->GetFileSystem(), store->wal_gate_));
    store->env_ = store->gated_env_.get();
  }
  if (options.mode == OpenMode::kReadOnly && options.hold_lock) {
    CONNECTIVITY_RETURN_IF_ERROR(CheckNotLocked(env, dir));
    const rocksdb::Status locked = env->LockFile(dir + "/LOCK", &store->held_lock_);
    if (!locked.ok()) return IsLockError(locked) ? BusyError(dir, locked) : FromRocksDb(locked);
  }
  CONNECTIVITY_RETURN_IF_ERROR(store->OpenDb(options));
  return store;
}

Status Store::OpenDb(const StoreOptions& options) {
  rocksdb::DBOptions db_options = internal::MakeDbOptions(options);
  db_options.env = env_;  // read-write: over the WAL gate
  // RocksDB's default info logger aborts on its next line after a failed
  // write (info_log.h); ours ignores write errors.
  constexpr size_t kInfoLogBytesMax = 16u << 20;
  db_options.info_log =
      NewInfoLog(mode_ == OpenMode::kSecondary ? options.secondary_path : dir_, kInfoLogBytesMax);
  db_options.listeners.push_back(std::make_shared<BackgroundErrorListener>(
      [state = write_error_, dir = dir_](const rocksdb::Status& error) {
        if (state->Record(FromRocksDb(error))) {
          log::Error("storage", "RocksDB background error in " + dir + ": " + error.ToString() +
                                    "; no further writes until a restart");
        }
      }));
  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  const std::vector<rocksdb::ColumnFamilyDescriptor> families =
      internal::MakeColumnFamilies(options, cache);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  switch (mode_) {
    case OpenMode::kReadWrite:
      s = rocksdb::DB::Open(db_options, dir_, families, &handles_, &db);
      break;
    case OpenMode::kReadOnly:
      s = rocksdb::DB::OpenForReadOnly(db_options, dir_, families, &handles_, &db,
                                       /*error_if_wal_file_exists=*/false);
      break;
    case OpenMode::kSecondary:
      s = rocksdb::DB::OpenAsSecondary(db_options, dir_, options.secondary_path, families,
                                       &handles_, &db);
      break;
  }
  db_.reset(db);
  if (IsLockError(s)) return BusyError(dir_, s);
  if (!s.ok()) return FromRocksDb(s);
  CHECK(handles_.size() == families.size(), "RocksDB returned a handle per column family");
  return Status::Ok();
}

void Store::ReleaseLock() {
  if (held_lock_ == nullptr) return;
  (void)env_->UnlockFile(held_lock_);
  held_lock_ = nullptr;
}

Status Store::Close() {
  ReleaseLock();
  if (db_ == nullptr) return Status::Ok();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    (void)db_->DestroyColumnFamilyHandle(handle);
  }
  handles_.clear();
  const rocksdb::Status s = db_->Close();
  db_.reset();
  return FromRocksDb(s);
}

rocksdb::ColumnFamilyHandle* Store::handle(ColumnFamily cf) const {
  CHECK(cf < handles_.size(), "column family index out of range");
  return handles_[cf];
}

Result<bool> Store::Get(ColumnFamily cf, std::string_view key, std::string* value) const {
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  const rocksdb::Status s = db_->Get(read, handle(cf), ToSlice(key), value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocksDb(s);
  return true;
}

Status Store::Put(ColumnFamily cf, std::string_view key, std::string_view value, bool sync) {
  WriteBatch batch(*this);
  batch.Put(cf, key, value);
  return Write(batch, sync);
}

Status Store::Delete(ColumnFamily cf, std::string_view key, bool sync) {
  WriteBatch batch(*this);
  batch.Delete(cf, key);
  return Write(batch, sync);
}

Status Store::Write(WriteBatch& batch, bool sync) {
  if (mode_ != OpenMode::kReadWrite) {
    return Status::InvalidArgument("the store at " + dir_ + " is not open for writing");
  }
  CONNECTIVITY_RETURN_IF_ERROR(batch.first_error_);
  CONNECTIVITY_RETURN_IF_ERROR(write_error());
  CONNECTIVITY_RETURN_IF_ERROR(CheckRoomFor(batch.ByteSize()));
  rocksdb::WriteOptions write;
  // Never sync=true: RocksDB would sync the WAL itself, outside the WAL gate
  // (wal_gate_fs.h). A synced write is a write and a SyncWal(), which also
  // makes every write that returned before it durable.
  write.sync = false;
  write.disableWAL = false;
  const Status written = FromRocksDb(db_->Write(write, batch.rep_.get()));
  if (!written.ok() && write_error_->Record(written)) {
    log::Error("storage", "a write to " + dir_ + " failed: " + written.message() +
                              "; no further writes until a restart");
  }
  if (!written.ok() || !sync) return written;
  return SyncWal();
}

Status Store::SyncWal() {
  if (mode_ != OpenMode::kReadWrite) {
    return Status::InvalidArgument("the store at " + dir_ + " is not open for writing");
  }
  CONNECTIVITY_RETURN_IF_ERROR(write_error());
  const Status synced = wal_gate_->Sync([this] { return FromRocksDb(db_->SyncWAL()); });
  if (!synced.ok() && write_error_->Record(synced)) {
    log::Error("storage", "a WAL sync of " + dir_ + " failed: " + synced.message() +
                              "; no further writes until a restart");
  }
  return synced;
}

uint64_t Store::wal_syncs() const { return wal_gate_ != nullptr ? wal_gate_->syncs() : 0; }

Status Store::write_error() const { return write_error_->Get(); }

uint64_t Store::MemtableBytes() const {
  uint64_t bytes = 0;
  if (db_ == nullptr ||
      !db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &bytes)) {
    return 0;
  }
  return bytes;
}

Status Store::CheckRoomFor(uint64_t bytes) const {
  Result<uint64_t> free = FreeBytes(dir_);
  if (!free.ok()) return Status::NoSpace(free.status().message());
  const uint64_t memtables = MemtableBytes();
  const uint64_t needed = disk_headroom_bytes_ + memtables + bytes;
  if (*free >= needed) return Status::Ok();
  return Status::NoSpace("the disk holding " + dir_ + " has " + FormatBytes(*free) +
                         " free; writes keep the headroom of " + FormatBytes(disk_headroom_bytes_) +
                         " (--disk-headroom) plus " + FormatBytes(memtables) +
                         " for a flush of the memtables free");
}

std::unique_ptr<Iterator> Store::NewIterator(ColumnFamily cf, const ScanOptions& options) const {
  auto bounds = std::make_unique<Iterator::Bounds>();
  bounds->lower = options.lower_bound;
  bounds->upper = options.upper_bound;
  bounds->lower_slice = ToSlice(bounds->lower);
  bounds->upper_slice = ToSlice(bounds->upper);
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  if (!bounds->lower.empty()) read.iterate_lower_bound = &bounds->lower_slice;
  if (!bounds->upper.empty()) read.iterate_upper_bound = &bounds->upper_slice;
  if (options.full_scan) {
    read.fill_cache = false;  // a replay must not evict the working set
    read.readahead_size = 2u << 20;
  }
  std::unique_ptr<rocksdb::Iterator> rep(db_->NewIterator(read, handle(cf)));
  return std::unique_ptr<Iterator>(new Iterator(std::move(bounds), std::move(rep)));
}

Status Store::CatchUpWithPrimary() {
  if (mode_ != OpenMode::kSecondary) return Status::Ok();
  return FromRocksDb(db_->TryCatchUpWithPrimary());
}

Status Store::Flush() {
  if (mode_ != OpenMode::kReadWrite) return Status::Ok();
  CONNECTIVITY_RETURN_IF_ERROR(write_error());
  // The table files of a flush take about the memtables' size; the WAL they
  // replace is deleted only afterwards.
  constexpr uint64_t kFlushSlackBytes = 1u << 20;
  Result<uint64_t> free = FreeBytes(dir_);
  const uint64_t memtables = MemtableBytes();
  if (!free.ok() || *free < memtables + memtables / 4 + kFlushSlackBytes) {
    return Status::NoSpace("not flushing " + FormatBytes(memtables) + " of memtables in " + dir_ +
                           ": " + (free.ok() ? FormatBytes(*free) + " free" : free.status().message()));
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocksDb(db_->Flush(flush, handles_));
}

Status Store::CompactAll() {
  if (mode_ != OpenMode::kReadWrite) return Status::InvalidArgument("the store at " + dir_ + " is not open for writing");
  CONNECTIVITY_RETURN_IF_ERROR(Flush());
  uint64_t live_bytes = 0;
  for (ColumnFamily cf = 0; cf < handles_.size(); ++cf) live_bytes += ApproximateBytes(cf);
  // A compaction writes its output before it deletes its input.
  CONNECTIVITY_RETURN_IF_ERROR(CheckRoomFor(live_bytes));
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    const Status compacted = FromRocksDb(db_->CompactRange(options, handle, nullptr, nullptr));
    if (!compacted.ok()) {
      if (write_error_->Record(compacted)) {
        log::Error("storage", "a compaction of " + dir_ + " failed: " + compacted.message() +
                                  "; no further writes until a restart");
      }
      return compacted;
    }
  }
  return Status::Ok();
}

Status Store::CreateCheckpoint(const std::string& checkpoint_dir) {
  rocksdb::Checkpoint* raw = nullptr;
  CONNECTIVITY_RETURN_IF_ERROR(FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw)));
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksDb(checkpoint->CreateCheckpoint(checkpoint_dir));
}

uint64_t Store::ApproximateBytes(ColumnFamily cf) const {
  uint64_t files_bytes = 0;
  uint64_t memtable_bytes = 0;
  if (!db_->GetIntProperty(handle(cf), rocksdb::DB::Properties::kLiveSstFilesSize, &files_bytes)) {
    files_bytes = 0;
  }
  if (!db_->GetIntProperty(handle(cf), rocksdb::DB::Properties::kSizeAllMemTables,
                           &memtable_bytes)) {
    memtable_bytes = 0;
  }
  return files_bytes + memtable_bytes;
}

Store::MemoryUsage Store::Memory() const {
  MemoryUsage usage;
  if (db_ == nullptr) return usage;  // closed
  // Absent properties leave their figure at zero.
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &usage.memtable_bytes);
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &usage.table_reader_bytes);
  // One cache is shared by every column family: read it once, not summed.
  db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &usage.block_cache_bytes);
  db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheCapacity, &usage.block_cache_capacity);
  return usage;
}

}  // namespace connectivity::storage
