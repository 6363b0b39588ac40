// Store: the RocksDB layer under the journal. Knows column families, keys and
// values as bytes, nothing of events.
//
// Operation
//   Open() opens one data directory read-write (creating it and every column
//   family if missing), read-only, or as a RocksDB secondary instance whose
//   own files live in a caller-given directory outside the data dir. Options
//   are set explicitly rather than left to RocksDB defaults:
//     * wal_recovery_mode = kPointInTimeRecovery: a WAL cut mid-record (torn
//       write, power loss) recovers to the last whole write batch;
//     * paranoid_checks = true: corruption found at open stops the open;
//     * one LRU block cache and a total memtable budget shared by every
//       column family, both capped from StoreOptions (the server keeps
//       ~100k streams in memory and must stay within its memory budget);
//     * bloom filters on column families marked for point lookups.
//   Every write takes an explicit `sync` argument; a synced write is a
//   RocksDB write with sync=false followed by SyncWal() (the WAL gate
//   below). RocksDB statuses become our Status here.
//
// Free space and write errors
//   Debian's RocksDB 7.8.3 keeps its assertions, and once a WAL write has
//   failed, RocksDB's own later calls on that WAL (SyncClosedLogs in a flush,
//   SyncWAL, DB::Resume) abort the process (TOOLCHAIN.md §10). So RocksDB
//   must never meet a full disk, and after any failed write it must never be
//   asked to write or flush again:
//     * free-space guard: Write() first checks that the data dir's
//       filesystem keeps `disk_headroom_bytes` free beyond the write and a
//       flush of every memtable; otherwise it refuses with kNoSpace, having
//       written nothing. Not sticky: writes go on once space returns;
//     * sticky write error: the first failed Write(), or a background error
//       RocksDB reports (flush, compaction), is kept; every later Write() and
//       Flush() returns it at once without calling RocksDB. RocksDB's own
//       automatic recovery is switched off for the same reason.
//
// Errors
//   kBusy: the data directory is locked by another process (or another Store
//   in this process); the message says the directory is in use. Checked with
//   RocksDB's LOCK file before RocksDB touches anything else in the dir.
//   kCorruption / kIOError / kInvalidArgument / kNotFound: from RocksDB, with
//   RocksDB's message (it names the file).
//
// Concurrency
//   All methods are thread-safe (RocksDB's guarantees). An Iterator is used by
//   one thread at a time and must not outlive its Store; it pins the data it
//   reads (memtables, files), so keep scans short-lived.
#ifndef CONNECTIVITY_STORAGE_STORE_H_
#define CONNECTIVITY_STORAGE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class FileLock;
class Iterator;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace connectivity::storage {

class WalGate;

// Converts a RocksDB status to ours (the boundary of this library).
Status FromRocksDb(const rocksdb::Status& status);

enum class OpenMode {
  kReadWrite,  // takes RocksDB's LOCK; creates the dir and column families
  kReadOnly,   // no lock; sees the data as of the open; no writes
  kSecondary,  // follows a running primary; CatchUpWithPrimary() refreshes
};

// Index of a column family in the Store: 0 is RocksDB's "default" family,
// 1.. are StoreOptions::column_families in order.
using ColumnFamily = size_t;
inline constexpr ColumnFamily kDefaultColumnFamily = 0;

struct ColumnFamilySpec {
  std::string name;
  // Adds a bloom filter (10 bits per key): cheap misses for Get().
  bool point_lookups = false;
};

struct StoreOptions {
  OpenMode mode = OpenMode::kReadWrite;
  // kSecondary only: the secondary instance's own directory (its info log
  // and metadata). Must not be inside the data dir; callers use $TMPDIR.
  std::string secondary_path;
  // Test seam (fault injection). Null means rocksdb::Env::Default(). Only
  // its file system is used: a read-write Store composes the WAL gate's
  // file system over it (rocksdb::NewCompositeEnv, threads and clock of
  // Env::Default()).
  rocksdb::Env* env = nullptr;
  // Capacity of the one LRU block cache (data, index and filter blocks).
  size_t block_cache_bytes = 32u << 20;
  // Total memtable budget across column families.
  size_t write_buffer_bytes = 8u << 20;
  // Column families besides "default" (which is always index 0). In
  // kReadOnly / kSecondary every one must already exist.
  std::vector<ColumnFamilySpec> column_families;
  // Bloom filter for the default column family.
  bool default_point_lookups = true;
  // Free-space guard (see above): bytes kept free beyond each write and a
  // flush of the memtables. Covers what RocksDB writes on its own after our
  // last write: a compaction step (max_compaction_bytes) and its metadata.
  uint64_t disk_headroom_bytes = 0;
  // kReadOnly only: hold RocksDB's LOCK file like a writer does, so that no
  // other process opens the directory for writing meanwhile (the server
  // when it starts read-only for lack of space). ReleaseLock() lets go.
  bool hold_lock = false;
};

class Store;

// A group of writes applied atomically by Store::Write. Not thread-safe.
class WriteBatch {
 public:
  explicit WriteBatch(const Store& store);
  ~WriteBatch();
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  void Put(ColumnFamily cf, std::string_view key, std::string_view value);
  void Delete(ColumnFamily cf, std::string_view key);
  // Deletes every key in [begin, end).
  void DeleteRange(ColumnFamily cf, std::string_view begin, std::string_view end);
  // Empties the batch, keeping its buffer for reuse.
  void Clear();
  // Number of operations and encoded size so far.
  uint32_t Count() const;
  size_t ByteSize() const;

 private:
  friend class Store;
  const Store& store_;
  std::unique_ptr<rocksdb::WriteBatch> rep_;
  // RocksDB reports an oversized batch at Put time; kept for Write().
  Status first_error_;
};

// How an Iterator reads.
struct ScanOptions {
  // Optional bounds: keys in [lower_bound, upper_bound). Empty means none.
  std::string lower_bound;
  std::string upper_bound;
  // A long sequential scan (replay, export): do not fill the block cache,
  // and read ahead in large chunks.
  bool full_scan = false;
};

// A RocksDB iterator that cannot confuse "end" with "error": after any loop
// that stops because Valid() is false, the caller checks status().
class Iterator {
 public:
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  bool Valid() const;
  // REQUIRES: Valid(). Views stay valid until the next move.
  std::string_view key() const;
  std::string_view value() const;
  void SeekToFirst();
  void SeekToLast();
  void Seek(std::string_view target);         // first key >= target
  void SeekForPrev(std::string_view target);  // last key <= target
  void Next();
  void Prev();
  // OK at a clean end; the error otherwise. Check it whenever Valid() is false.
  Status status() const;

 private:
  friend class Store;
  struct Bounds;
  Iterator(std::unique_ptr<Bounds> bounds, std::unique_ptr<rocksdb::Iterator> rep);
  // Owns the bound keys that RocksDB's ReadOptions point into; must outlive rep_.
  std::unique_ptr<Bounds> bounds_;
  std::unique_ptr<rocksdb::Iterator> rep_;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  // Calls Close(), dropping its status.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns true and fills `value` if `key` exists, false if it does not.
  Result<bool> Get(ColumnFamily cf, std::string_view key, std::string* value) const;
  // `sync` = true: returns after the WAL is fsynced (power-loss safe): a
  // write with sync=false, then SyncWal().
  // kNoSpace: refused by the free-space guard, nothing written. Any other
  // error is sticky (see above).
  Status Put(ColumnFamily cf, std::string_view key, std::string_view value, bool sync);
  Status Delete(ColumnFamily cf, std::string_view key, bool sync);
  Status Write(WriteBatch& batch, bool sync);
  // Makes every write that returned before the call durable: one
  // DB::SyncWAL() (fdatasync of the WAL files), run through the WAL gate.
  // Refused without calling RocksDB after the sticky write error, or once a
  // WAL operation has failed (the gate's flag); a failed sync becomes the
  // sticky error. Any thread; the journal calls it from its sync thread
  // while its commit thread writes with sync=false.
  Status SyncWal();
  // DB::SyncWAL() calls made so far (tests).
  uint64_t wal_syncs() const;
  // OK if a write of `bytes` would keep the headroom free; kNoSpace (naming
  // the free space, the headroom and the memtables) otherwise.
  Status CheckRoomFor(uint64_t bytes) const;
  // OK, or the first write or background error (sticky).
  Status write_error() const;
  // Bytes in memtables, not yet in table files: what a flush will write.
  uint64_t MemtableBytes() const;
  // Closes RocksDB; later calls of any method but Close() are not allowed.
  // Idempotent: the second call returns OK.
  Status Close();

  std::unique_ptr<Iterator> NewIterator(ColumnFamily cf, const ScanOptions& options) const;

  // kSecondary: applies the primary's newer writes. Other modes: OK, no-op.
  Status CatchUpWithPrimary();
  // Flushes every memtable to table files. Refused (without calling
  // RocksDB) after a write error, or with kNoSpace when the filesystem has
  // less free space than the memtables need.
  Status Flush();
  // Leaves no file holding a value that was overwritten or deleted: flushes
  // every memtable (RocksDB starts a new WAL and deletes the old ones once
  // every family is past them), then compacts every column family over its
  // whole key range, rewriting the bottommost level too (an encryption
  // migration ends with it, so that no file keeps an old plaintext or an
  // old-key value). Refused like Flush, and with kNoSpace unless the disk
  // has room for a second copy of the data. A compaction error is sticky.
  Status CompactAll();
  // Writes an openable copy of the database to `checkpoint_dir` (must not
  // exist; table files are hard-linked when on the same filesystem).
  Status CreateCheckpoint(const std::string& checkpoint_dir);
  // Approximate bytes of one column family: live table files + memtables.
  uint64_t ApproximateBytes(ColumnFamily cf) const;
  // What RocksDB holds in memory for this store now. Any thread.
  struct MemoryUsage {
    uint64_t memtable_bytes = 0;
    uint64_t block_cache_bytes = 0;
    uint64_t block_cache_capacity = 0;
    uint64_t table_reader_bytes = 0;
  };
  MemoryUsage Memory() const;

  // Releases the LOCK taken with StoreOptions::hold_lock (if held).
  void ReleaseLock();

  OpenMode mode() const { return mode_; }
  const std::string& dir() const { return dir_; }
  size_t column_family_count() const { return handles_.size(); }
  // The RocksDB handle of a column family (REQUIRES: cf < column_family_count()).
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily cf) const;

 private:
  Store(std::string dir, OpenMode mode);
  Status OpenDb(const StoreOptions& options);

  // Shared with the RocksDB event listener, which reports background errors.
  struct WriteErrorState;

  std::string dir_;
  OpenMode mode_;
  uint64_t disk_headroom_bytes_ = 0;
  rocksdb::Env* env_ = nullptr;  // what RocksDB runs on (gated_env_ when read-write)
  // kReadWrite: the WAL gate and the Env over its file system; both outlive db_.
  std::shared_ptr<WalGate> wal_gate_;
  std::unique_ptr<rocksdb::Env> gated_env_;
  rocksdb::FileLock* held_lock_ = nullptr;  // StoreOptions::hold_lock
  std::shared_ptr<WriteErrorState> write_error_;
  // handles_[0] is "default"; deleted before db_ at close.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_STORE_H_
