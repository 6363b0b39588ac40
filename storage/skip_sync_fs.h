// A RocksDB file system whose file syncs return at once.
//
// For writers that need no durability until they say so: a bulk import that
// fsyncs its whole staging directory once at the end (journal-replay import),
// and the benchmarks' "no fsync" baselines. Data still reaches the page cache
// as usual; only Sync/Fsync/RangeSync of writable files are skipped.
//
// Never open a data directory a server serves with this.
#ifndef CONNECTIVITY_STORAGE_SKIP_SYNC_FS_H_
#define CONNECTIVITY_STORAGE_SKIP_SYNC_FS_H_

#include <rocksdb/file_system.h>

#include <memory>

namespace connectivity::storage {

// Over rocksdb::FileSystem::Default().
std::shared_ptr<rocksdb::FileSystem> NewSkipSyncFileSystem();

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_SKIP_SYNC_FS_H_
