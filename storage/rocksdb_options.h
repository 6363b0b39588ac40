// Internal to storage/: the RocksDB options a Store opens with. Every option
// that matters for durability or memory is set here explicitly, with the
// reason, instead of being left to RocksDB's defaults (which change between
// releases).
#ifndef CONNECTIVITY_STORAGE_ROCKSDB_OPTIONS_H_
#define CONNECTIVITY_STORAGE_ROCKSDB_OPTIONS_H_

#include <memory>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "storage/store.h"

namespace connectivity::storage::internal {

// Database-wide options (WAL recovery, checks, memory budget, env).
rocksdb::DBOptions MakeDbOptions(const StoreOptions& options);

// One descriptor per column family, "default" first, all sharing `cache`.
std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(
    const StoreOptions& options, const std::shared_ptr<rocksdb::Cache>& cache);

}  // namespace connectivity::storage::internal

#endif  // CONNECTIVITY_STORAGE_ROCKSDB_OPTIONS_H_
