// InfoLog: RocksDB's own log ("LOG" in the data dir), written with plain
// stdio instead of RocksDB's default logger.
//
// Why: RocksDB 7.8.3's default info logger writes through a
// WritableFileWriter, and Debian's build keeps its assertions. On a full
// disk one LOG append fails, and the next LOG line RocksDB writes (a flush,
// a compaction, the close, the periodic statistics) aborts the process
// (`sync_without_flush_called_`), even though no data write ever failed.
// This logger ignores write errors: a LOG line lost on a full disk is only a
// lost line. The file is capped at `max_bytes`; then it moves to LOG.old
// (replacing an older one) and a new LOG starts.
//
// Thread-safe (RocksDB logs from every thread).
#ifndef CONNECTIVITY_STORAGE_INFO_LOG_H_
#define CONNECTIVITY_STORAGE_INFO_LOG_H_

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace connectivity::storage {

// A logger writing to `dir`/LOG. Never fails: if the file cannot be opened,
// lines are dropped.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir, size_t max_bytes);

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_INFO_LOG_H_
