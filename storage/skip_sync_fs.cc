#include "storage/skip_sync_fs.h"

#include <string>
#include <utility>

namespace connectivity::storage {
namespace {

class SkipSyncFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;

  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
};

// Every way RocksDB obtains a writable file goes through Wrap.
class SkipSyncFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  SkipSyncFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "SkipSyncFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    return Wrap(target()->NewWritableFile(name, options, result, debug), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override {
    return Wrap(target()->ReopenWritableFile(name, options, result, debug), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override {
    return Wrap(target()->ReuseWritableFile(name, old_name, options, result, debug), result);
  }

 private:
  static rocksdb::IOStatus Wrap(rocksdb::IOStatus status,
                                std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (status.ok()) *result = std::make_unique<SkipSyncFile>(std::move(*result));
    return status;
  }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewSkipSyncFileSystem() {
  return std::make_shared<SkipSyncFileSystem>();
}

}  // namespace connectivity::storage
