#include "storage/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "src/base/check.h"

namespace connectivity::storage {

std::string TempRoot() {
  for (const char* variable : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "/tmp";
}

ScopedTempDir::ScopedTempDir(std::string_view prefix) {
  std::string pattern = TempRoot() + "/" + std::string(prefix) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  CHECK(mkdtemp(buffer.data()) != nullptr, "mkdtemp failed under the temp root");
  path_ = buffer.data();
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScopedTempDir::Sub(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

}  // namespace connectivity::storage
