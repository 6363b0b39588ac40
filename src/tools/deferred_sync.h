// Deferred durability for a bulk load (journal-replay import).
//
// The journal syncs every batch it writes (sync=true), which is right for a
// server acknowledging commands and wrong for an import that appends a
// million events one batch each (one fsync per event: minutes). An import
// is all or nothing anyway: it fills a staging directory nobody reads, so
// nothing needs to be durable until the end. DeferredSyncEnv gives RocksDB
// a file system whose file syncs return at once; SyncTree() then makes the
// whole directory durable in one go before the import publishes it.
//
// Never use this for a data dir a server or a reader might open before
// SyncTree() returned.
#ifndef CONNECTIVITY_SRC_TOOLS_DEFERRED_SYNC_H_
#define CONNECTIVITY_SRC_TOOLS_DEFERRED_SYNC_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>
#include <string>

#include "src/base/status.h"

namespace connectivity::tools {

struct DeferredSyncEnv {
  std::shared_ptr<rocksdb::FileSystem> file_system;
  std::unique_ptr<rocksdb::Env> env;  // RocksDB's Env on `file_system`
};

// Over rocksdb::FileSystem::Default(). Keep it alive while any database
// opened with its env is open.
DeferredSyncEnv MakeDeferredSyncEnv();

// fsyncs every regular file under `dir` (recursively), then every directory
// from the deepest up to `dir` itself.
Status SyncTree(const std::string& dir);

// fsyncs one directory (after a rename into it).
Status SyncDirectory(const std::string& dir);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_DEFERRED_SYNC_H_
