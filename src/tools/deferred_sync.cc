#include "src/tools/deferred_sync.h"

#include <fcntl.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "storage/skip_sync_fs.h"

namespace connectivity::tools {
namespace {

namespace fs = std::filesystem;

Status SyncPath(const fs::path& path, bool directory) {
  const int fd = open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path.string() + ": " + std::strerror(errno));
  const int synced = fsync(fd);
  const int error = errno;
  close(fd);
  if (synced != 0) return Status::IOError("fsync " + path.string() + ": " + std::strerror(error));
  return Status::Ok();
}

}  // namespace

DeferredSyncEnv MakeDeferredSyncEnv() {
  DeferredSyncEnv result;
  result.file_system = storage::NewSkipSyncFileSystem();
  result.env = rocksdb::NewCompositeEnv(result.file_system);
  return result;
}

Status SyncTree(const std::string& dir) {
  std::error_code error;
  std::vector<fs::path> directories = {dir};
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory(error)) {
      directories.push_back(it->path());
    } else if (it->is_regular_file(error)) {
      CONNECTIVITY_RETURN_IF_ERROR(SyncPath(it->path(), false));
    }
  }
  if (error) return Status::IOError("listing " + dir + ": " + error.message());
  // Deepest first, so that each directory's entries are durable before its
  // parent's entry for it.
  for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
    CONNECTIVITY_RETURN_IF_ERROR(SyncPath(*it, true));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) { return SyncPath(dir, true); }

}  // namespace connectivity::tools
