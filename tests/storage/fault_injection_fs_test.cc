// Goal: the fault-injection file system really does what the durability
// tests rely on: after a simulated crash only synced bytes survive a reopen
// (and synced ones all do), it refuses to drop data without a crash, and its
// failure switch is off by default and affects only matching files.
#include "storage/fault_injection_fs.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/store.h"
#include "storage/temp_dir.h"
#include "tests/storage/test_util.h"

namespace connectivity::storage {
namespace {

constexpr ColumnFamily kData = 1;

StoreOptions OptionsWith(const FaultInjectionEnv& fault) {
  StoreOptions options;
  options.env = fault.env.get();
  options.column_families = {{"data", true}};
  return options;
}

std::string GetOrAbsent(const Store& store, std::string_view key) {
  std::string value;
  Result<bool> found = store.Get(kData, key, &value);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  return found.ok() && *found ? value : "<absent>";
}

TEST(FaultInjectionFsTest, CrashDropsUnsyncedWritesAndKeepsSyncedOnes) {
  ScopedTempDir temp("fault-fs");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  {
    Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), OptionsWith(fault));
    ASSERT_RESULT_OK(store);
    ASSERT_OK((*store)->Put(kData, "synced", "kept", /*sync=*/true));
    ASSERT_OK((*store)->Put(kData, "unsynced", "lost", /*sync=*/false));
    EXPECT_GT(fault.fs->unsynced_bytes(), 0u);
    fault.fs->SimulateCrash();
  }
  ASSERT_OK(fault.fs->DropUnsyncedData());
  EXPECT_EQ(fault.fs->unsynced_bytes(), 0u);
  Result<std::unique_ptr<Store>> reopened = Store::Open(temp.path(), OptionsWith(fault));
  ASSERT_RESULT_OK(reopened);
  EXPECT_EQ(GetOrAbsent(**reopened, "synced"), "kept");
  EXPECT_EQ(GetOrAbsent(**reopened, "unsynced"), "<absent>");
}

TEST(FaultInjectionFsTest, WritesAfterTheCrashFail) {
  ScopedTempDir temp("fault-fs");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), OptionsWith(fault));
  ASSERT_RESULT_OK(store);
  fault.fs->SimulateCrash();
  EXPECT_FALSE((*store)->Put(kData, "k", "v", /*sync=*/true).ok());
}

TEST(FaultInjectionFsTest, DropUnsyncedDataNeedsACrashFirst) {
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  EXPECT_EQ(fault.fs->DropUnsyncedData().code(), ErrorCode::kInvalidArgument);
}

TEST(FaultInjectionFsTest, NoFaultsByDefault) {
  ScopedTempDir temp("fault-fs");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), OptionsWith(fault));
  ASSERT_RESULT_OK(store);
  EXPECT_OK((*store)->Put(kData, "k", "v", /*sync=*/true));
  EXPECT_EQ(fault.fs->injected_failures(), 0u);
}

TEST(FaultInjectionFsTest, FaultsApplyOnlyToFilesWithTheSuffix) {
  ScopedTempDir temp("fault-fs");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), OptionsWith(fault));
  ASSERT_RESULT_OK(store);
  fault.fs->SetFaults(Faults{.fail_append = true, .fail_sync = true, .file_suffix = ".sst"});
  EXPECT_OK((*store)->Put(kData, "k", "v", /*sync=*/true));  // the WAL is a .log file
  EXPECT_FALSE((*store)->Flush().ok());                       // writing a table fails
  EXPECT_GT(fault.fs->injected_failures(), 0u);
}

}  // namespace
}  // namespace connectivity::storage
