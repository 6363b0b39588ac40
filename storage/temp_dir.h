// ScopedTempDir: a fresh directory for one test or benchmark run, removed
// with everything in it when the object goes away. Part of `storage_testing`.
//
// The parent is $TEST_TMPDIR if set (Google Benchmark and RocksDB's tools
// honour it), else $TMPDIR, else /tmp. Aborts if the directory cannot be
// created: tests cannot run without it.
#ifndef CONNECTIVITY_STORAGE_TEMP_DIR_H_
#define CONNECTIVITY_STORAGE_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace connectivity::storage {

// $TEST_TMPDIR, $TMPDIR or /tmp, whichever is set first.
std::string TempRoot();

class ScopedTempDir {
 public:
  explicit ScopedTempDir(std::string_view prefix = "connectivity");
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name (not created).
  std::string Sub(std::string_view name) const;

 private:
  std::string path_;
};

}  // namespace connectivity::storage

#endif  // CONNECTIVITY_STORAGE_TEMP_DIR_H_
