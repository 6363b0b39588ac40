#include "storage/rocksdb_options.h"

#include <algorithm>
#include <cstdint>

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace connectivity::storage::internal {
namespace {

constexpr size_t kMemtableBytesMin = 1u << 20;
constexpr double kBloomBitsPerKey = 10.0;  // ~1% false positives
constexpr uint64_t kMetadataBlockBytes = 4096;  // index and filter partitions
constexpr uint64_t kCompactionStepBytesMax = 128u << 20;
// Table files (flushes, compactions) are synced every kBackgroundSyncBytes as they are written.
// Without it a compaction wrote its output (100-250 MB in the soak, growing with the journal) into
// the page cache and synced it at the end in one burst, and the WAL's fdatasync of every
// acknowledged command waited behind that writeback: the soak's p99 went from 10 to 39 ms in
// five minutes.
constexpr uint64_t kBackgroundSyncBytes = 1u << 20;

rocksdb::ColumnFamilyOptions MakeColumnFamilyOptions(const StoreOptions& options,
                                                     const std::shared_ptr<rocksdb::Cache>& cache,
                                                     bool point_lookups) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks live in the capped cache too; otherwise every
  // open table file would hold them outside any budget.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned: a lookup reads one 4 KiB index (and filter) partition
  // through the cache, and only the small top level stays pinned. With one
  // index block per file, a 100 MB bottom-level file had a ~1 MB index block
  // that random reads kept evicting, and every point lookup on the commit
  // thread decompressed it again (two thirds of its CPU in a profile of
  // deletes on 100,000 connections).
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.metadata_block_size = kMetadataBlockBytes;
  table.pin_top_level_index_and_filter = true;
  if (point_lookups) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
    table.partition_filters = true;
  }

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Flushes and the first compactions rewrite young data often; compressing
  // it costs CPU the two cores need for serving. Only the bottom levels,
  // where data settles, are compressed (LZ4: cheap to decompress on scans).
  cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                              rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                              rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                              rocksdb::kLZ4Compression};
  // Each family may grow to half the total budget; db_write_buffer_size
  // flushes the largest memtable when the sum goes over the budget.
  cf.write_buffer_size = std::max(options.write_buffer_bytes / 2, kMemtableBytesMin);
  cf.max_write_buffer_number = 2;
  // Bounds what one compaction step writes before it deletes its inputs, so
  // that the free-space guard's headroom (store.h) covers it.
  cf.max_compaction_bytes = kCompactionStepBytesMax;
  return cf;
}

}  // namespace

rocksdb::DBOptions MakeDbOptions(const StoreOptions& options) {
  const bool read_write = options.mode == OpenMode::kReadWrite;
  rocksdb::DBOptions db;
  db.env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  db.create_if_missing = read_write;
  db.create_missing_column_families = read_write;
  // SPEC §5: a WAL cut mid-record (torn write) recovers to the last whole
  // batch; anything else inconsistent stops the open.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.paranoid_checks = true;
  // fdatasync is enough for the WAL: its content is what must survive.
  db.use_fsync = false;
  db.db_write_buffer_size = options.write_buffer_bytes;
  // Secondaries require -1; table readers are then bounded by the number of
  // files, and their index/filter blocks by the block cache.
  db.max_open_files = -1;
  db.max_background_jobs = 2;
  if (read_write) {
    db.bytes_per_sync = kBackgroundSyncBytes;
  }
  // With the WAL on, nothing is lost at shutdown without a flush, and
  // flushing would make a close slow.
  db.avoid_flush_during_shutdown = true;
  // No automatic resume after an I/O error: resuming flushes, and a flush
  // after a failed WAL write aborts the process (store.h). A restart resumes.
  db.max_bgerror_resume_count = 0;
  return db;
}

std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(
    const StoreOptions& options, const std::shared_ptr<rocksdb::Cache>& cache) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.reserve(options.column_families.size() + 1);
  families.emplace_back(rocksdb::kDefaultColumnFamilyName,
                        MakeColumnFamilyOptions(options, cache, options.default_point_lookups));
  for (const ColumnFamilySpec& spec : options.column_families) {
    families.emplace_back(spec.name, MakeColumnFamilyOptions(options, cache, spec.point_lookups));
  }
  return families;
}

}  // namespace connectivity::storage::internal
