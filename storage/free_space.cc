#include "storage/free_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace connectivity::storage {

Result<uint64_t> FreeBytes(const std::string& dir) {
  struct statvfs stats {};
  if (::statvfs(dir.c_str(), &stats) != 0) {
    return Status::IOError("cannot read the free space of " + dir + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(stats.f_bavail) * static_cast<uint64_t>(stats.f_frsize);
}

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() != ".log") continue;
    std::error_code size_error;
    const uint64_t size = entry.file_size(size_error);
    if (!size_error) total += size;
  }
  return total;
}

std::string FormatBytes(uint64_t bytes) {
  char text[32];
  if (bytes < (1u << 20)) {
    std::snprintf(text, sizeof(text), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return text;
}

}  // namespace connectivity::storage
