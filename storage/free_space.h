// Free space on a data directory's filesystem, for the free-space guard of
// Store (store.h, "Free space"). Pure functions; thread-safe.
#ifndef CONNECTIVITY_STORAGE_FREE_SPACE_H_
#define CONNECTIVITY_STORAGE_FREE_SPACE_H_

#include <cstdint>
#include <string>

#include "src/base/status.h"

namespace connectivity::storage {

// Bytes an unprivileged writer may still use on the filesystem holding
// `dir` (statvfs f_bavail * f_frsize: blocks reserved for root are not
// counted, so the figure does not depend on who runs the server).
Result<uint64_t> FreeBytes(const std::string& dir);

// Total size of RocksDB's write-ahead log files (*.log) in `dir`: what a
// read-write open replays into memtables and then flushes to table files.
uint64_t WalBytes(const std::string& dir);

// "12.5 MiB", for messages.
std::string FormatBytes(uint64_t bytes);

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_FREE_SPACE_H_
