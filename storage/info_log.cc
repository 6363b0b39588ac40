#include "storage/info_log.h"

#include <sys/time.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

#include <rocksdb/env.h>

#include "src/base/mutex.h"

namespace connectivity::storage {
namespace {

class StdioInfoLog final : public rocksdb::Logger {
 public:
  StdioInfoLog(std::string dir, size_t max_bytes)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        path_(dir + "/LOG"),
        old_path_(dir + "/LOG.old"),
        max_bytes_(max_bytes) {
    file_ = std::fopen(path_.c_str(), "a");
  }

  ~StdioInfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    const size_t prefix = Timestamp(line, sizeof(line));
    va_list copy;
    va_copy(copy, ap);
    const int written = std::vsnprintf(line + prefix, sizeof(line) - prefix, format, copy);
    va_end(copy);
    if (written < 0) return;
    MutexLock lock(mutex_);
    if (file_ == nullptr) return;
    // Errors (a full disk) are ignored on purpose: see info_log.h.
    std::fputs(line, file_);
    std::fputc('\n', file_);
    std::fflush(file_);
    RotateIfLarge();
  }

  void Flush() override {
    MutexLock lock(mutex_);
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  static size_t Timestamp(char* out, size_t size) {
    timeval now{};
    gettimeofday(&now, nullptr);
    tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    const int n = std::snprintf(out, size, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", utc.tm_year + 1900,
                                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                                static_cast<long>(now.tv_usec));
    return n > 0 ? static_cast<size_t>(n) : 0;
  }

  void RotateIfLarge() REQUIRES(mutex_) {
    const long size = std::ftell(file_);
    if (size < 0 || static_cast<size_t>(size) < max_bytes_) return;
    std::fclose(file_);
    std::rename(path_.c_str(), old_path_.c_str());
    file_ = std::fopen(path_.c_str(), "a");
  }

  const std::string path_;
  const std::string old_path_;
  const size_t max_bytes_;
  Mutex mutex_;
  std::FILE* file_ GUARDED_BY(mutex_) = nullptr;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir, size_t max_bytes) {
  return std::make_shared<StdioInfoLog>(dir, max_bytes);
}

}  // namespace connectivity::storage
