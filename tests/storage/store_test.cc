// Goal: the RocksDB layer keeps its promises to the journal: each open mode
// behaves as documented (creation, read-only, secondary with its own path),
// a second writer on a directory fails fast with kBusy and a message that
// says the directory is in use, the `sync` flag reaches RocksDB, and an
// iterator that stops because of a read error reports the error instead of
// looking like the end. Each test uses its own temp dir.
#include "storage/store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/storage/test_util.h"

namespace connectivity::storage {
namespace {

constexpr ColumnFamily kFirst = 1;
constexpr ColumnFamily kSecond = 2;

StoreOptions TwoFamilies(OpenMode mode = OpenMode::kReadWrite) {
  StoreOptions options;
  options.mode = mode;
  options.column_families = {{"first", true}, {"second", false}};
  return options;
}

std::unique_ptr<Store> OpenOrDie(const std::string& dir, const StoreOptions& options) {
  Result<std::unique_ptr<Store>> store = Store::Open(dir, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

std::string GetOrEmpty(const Store& store, ColumnFamily cf, std::string_view key) {
  std::string value;
  Result<bool> found = store.Get(cf, key, &value);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  return found.ok() && *found ? value : "<absent>";
}

TEST(StoreTest, ReadWriteOpenCreatesDirectoryAndColumnFamilies) {
  ScopedTempDir temp("store");
  const std::string dir = temp.Sub("nested/data");
  {
    auto store = OpenOrDie(dir, TwoFamilies());
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(store->column_family_count(), 3u);
    ASSERT_OK(store->Put(kFirst, "k", "in first", /*sync=*/true));
    ASSERT_OK(store->Put(kSecond, "k", "in second", /*sync=*/true));
  }
  auto reopened = OpenOrDie(dir, TwoFamilies(OpenMode::kReadOnly));
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(GetOrEmpty(*reopened, kFirst, "k"), "in first");
  EXPECT_EQ(GetOrEmpty(*reopened, kSecond, "k"), "in second");
  EXPECT_EQ(GetOrEmpty(*reopened, kDefaultColumnFamily, "k"), "<absent>");
}

TEST(StoreTest, ReadOnlyOpenRejectsWrites) {
  ScopedTempDir temp("store");
  OpenOrDie(temp.path(), TwoFamilies()).reset();
  auto store = OpenOrDie(temp.path(), TwoFamilies(OpenMode::kReadOnly));
  ASSERT_NE(store, nullptr);
  const Status put = store->Put(kFirst, "k", "v", /*sync=*/true);
  EXPECT_EQ(put.code(), ErrorCode::kInvalidArgument) << put.ToString();
}

TEST(StoreTest, ReadOnlyOpenOfMissingDirectoryFailsWithoutCreatingIt) {
  ScopedTempDir temp("store");
  const std::string dir = temp.Sub("missing");
  Result<std::unique_ptr<Store>> store = Store::Open(dir, TwoFamilies(OpenMode::kReadOnly));
  EXPECT_FALSE(store.ok());
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(StoreTest, SecondReadWriteOpenFailsFastWithBusy) {
  ScopedTempDir temp("store");
  auto first = OpenOrDie(temp.path(), TwoFamilies());
  ASSERT_NE(first, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Store>> second = Store::Open(temp.path(), TwoFamilies());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kBusy) << second.status().ToString();
  EXPECT_NE(second.status().message().find("is in use by another process"), std::string::npos)
      << second.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

// Runs in a child process started by the next test (skipped otherwise): a
// writer in another process must get kBusy too (RocksDB's fcntl lock, not
// only its in-process lock table).
TEST(StoreTest, ChildProcessOpenGetsBusy) {
  const char* dir = std::getenv("CONNECTIVITY_LOCK_CHILD_DIR");
  if (dir == nullptr) GTEST_SKIP() << "run by SecondOpenFromAnotherProcessFailsWithBusy";
  Result<std::unique_ptr<Store>> store = Store::Open(dir, TwoFamilies());
  ASSERT_FALSE(store.ok());
  ASSERT_EQ(store.status().code(), ErrorCode::kBusy) << store.status().ToString();
  std::ofstream(std::string(dir) + "-child-saw-busy") << store.status().message();
}

TEST(StoreTest, SecondOpenFromAnotherProcessFailsWithBusy) {
  ScopedTempDir temp("store");
  const std::string dir = temp.Sub("data");
  auto first = OpenOrDie(dir, TwoFamilies());
  ASSERT_NE(first, nullptr);
  // This test binary, run again with a filter that selects the child test.
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = "CONNECTIVITY_LOCK_CHILD_DIR='" + dir + "' '" + self +
                              "' --gtest_filter=StoreTest.ChildProcessOpenGetsBusy > '" +
                              temp.Sub("child.log") + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "see the child's output in " << temp.Sub("child.log");
  std::ifstream marker(dir + "-child-saw-busy");
  std::string message((std::istreambuf_iterator<char>(marker)), std::istreambuf_iterator<char>());
  EXPECT_NE(message.find("is in use by another process"), std::string::npos) << message;
}

TEST(StoreTest, SecondaryPathInsideDataDirectoryIsRejected) {
  ScopedTempDir temp("store");
  OpenOrDie(temp.path(), TwoFamilies()).reset();
  StoreOptions options = TwoFamilies(OpenMode::kSecondary);
  options.secondary_path = temp.Sub("secondary");
  Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInvalidArgument) << store.status().ToString();
}

TEST(StoreTest, SecondarySeesPrimaryWritesAfterCatchUp) {
  ScopedTempDir temp("store");
  ScopedTempDir secondary_dir("store-secondary");
  auto primary = OpenOrDie(temp.path(), TwoFamilies());
  ASSERT_NE(primary, nullptr);
  ASSERT_OK(primary->Put(kFirst, "before", "1", /*sync=*/true));
  StoreOptions options = TwoFamilies(OpenMode::kSecondary);
  options.secondary_path = secondary_dir.path();
  auto secondary = OpenOrDie(temp.path(), options);
  ASSERT_NE(secondary, nullptr);
  EXPECT_EQ(GetOrEmpty(*secondary, kFirst, "before"), "1");
  ASSERT_OK(primary->Put(kFirst, "after", "2", /*sync=*/true));
  ASSERT_OK(secondary->CatchUpWithPrimary());
  EXPECT_EQ(GetOrEmpty(*secondary, kFirst, "after"), "2");
}

TEST(StoreTest, SyncFlagReachesTheWal) {
  ScopedTempDir temp("store");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  StoreOptions options = TwoFamilies();
  options.env = fault.env.get();
  auto store = OpenOrDie(temp.path(), options);
  ASSERT_NE(store, nullptr);
  fault.fs->SetFaults(Faults{.fail_sync = true, .file_suffix = ".log"});
  EXPECT_OK(store->Put(kFirst, "unsynced", "v", /*sync=*/false));
  EXPECT_FALSE(store->Put(kFirst, "synced", "v", /*sync=*/true).ok());
  EXPECT_GT(fault.fs->injected_failures(), 0u);
}

TEST(StoreTest, IteratorReportsReadErrorInsteadOfEnd) {
  ScopedTempDir temp("store");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  StoreOptions options = TwoFamilies();
  options.env = fault.env.get();
  {
    auto store = OpenOrDie(temp.path(), options);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 1000; ++i) {
      ASSERT_OK(store->Put(kFirst, "key" + std::to_string(i), std::string(100, 'x'), false));
    }
    ASSERT_OK(store->Flush());  // the data now lives in a table file
  }
  auto store = OpenOrDie(temp.path(), options);  // empty block cache
  ASSERT_NE(store, nullptr);
  fault.fs->SetFaults(Faults{.fail_read = true, .file_suffix = ".sst"});
  const std::unique_ptr<Iterator> iterator = store->NewIterator(kFirst, ScanOptions{});
  int seen = 0;
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) ++seen;
  EXPECT_LT(seen, 1000);
  EXPECT_EQ(iterator->status().code(), ErrorCode::kIOError) << iterator->status().ToString();
  EXPECT_GT(fault.fs->injected_failures(), 0u);
}

TEST(StoreTest, IteratorBoundsLimitTheScan) {
  ScopedTempDir temp("store");
  auto store = OpenOrDie(temp.path(), TwoFamilies());
  ASSERT_NE(store, nullptr);
  for (const char* key : {"a", "b", "c", "d"}) ASSERT_OK(store->Put(kFirst, key, key, false));
  ScanOptions scan;
  scan.lower_bound = "b";
  scan.upper_bound = "d";
  const std::unique_ptr<Iterator> iterator = store->NewIterator(kFirst, scan);
  std::string keys;
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) keys += iterator->key();
  ASSERT_OK(iterator->status());
  EXPECT_EQ(keys, "bc");
}

TEST(StoreTest, CheckpointOpensWithTheSameData) {
  ScopedTempDir temp("store");
  auto store = OpenOrDie(temp.Sub("data"), TwoFamilies());
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kSecond, "k", "v", /*sync=*/true));
  ASSERT_OK(store->CreateCheckpoint(temp.Sub("checkpoint")));
  auto copy = OpenOrDie(temp.Sub("checkpoint"), TwoFamilies(OpenMode::kReadOnly));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(GetOrEmpty(*copy, kSecond, "k"), "v");
}

TEST(StoreTest, ApproximateBytesCountsMemtablesAndFiles) {
  ScopedTempDir temp("store");
  auto store = OpenOrDie(temp.path(), TwoFamilies());
  ASSERT_NE(store, nullptr);
  const uint64_t empty_bytes = store->ApproximateBytes(kFirst);
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(store->Put(kFirst, "key" + std::to_string(i), std::string(1000, 'x'), false));
  }
  EXPECT_GT(store->ApproximateBytes(kFirst), empty_bytes);
  ASSERT_OK(store->Flush());
  EXPECT_GT(store->ApproximateBytes(kFirst), 0u);
}

// The soak separates RocksDB's memory from the process's own through these figures: the cache's
// capacity is the configured one, writes show in the memtables until a flush empties them, and
// reading a flushed table brings its blocks into the cache.
TEST(StoreTest, MemoryFollowsMemtablesAndTheBlockCache) {
  ScopedTempDir temp("store");
  StoreOptions options = TwoFamilies();
  options.block_cache_bytes = 4u << 20;
  auto store = OpenOrDie(temp.path(), options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Memory().block_cache_capacity, 4u << 20);
  const uint64_t empty_memtables = store->Memory().memtable_bytes;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(store->Put(kFirst, "key" + std::to_string(i), std::string(1000, 'x'), false));
  }
  EXPECT_GE(store->Memory().memtable_bytes, empty_memtables + 1000 * 1000);
  ASSERT_OK(store->Flush());
  EXPECT_LT(store->Memory().memtable_bytes, empty_memtables + 1000 * 1000);
  const uint64_t cache_before_reads = store->Memory().block_cache_bytes;
  for (int i = 0; i < 1000; i += 10) EXPECT_EQ(GetOrEmpty(*store, kFirst, "key" + std::to_string(i)).size(), 1000u);
  EXPECT_GT(store->Memory().block_cache_bytes, cache_before_reads);
  EXPECT_LE(store->Memory().block_cache_bytes, 4u << 20);
}

}  // namespace
}  // namespace connectivity::storage
