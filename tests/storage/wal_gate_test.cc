// Goal: the WAL gate (storage/wal_gate_fs.h) keeps RocksDB 7.8.3 from
// running DB::SyncWAL() on a WAL writer that saw a failed write, which
// aborts the process: a WAL append that fails while Store::SyncWal() runs
// returns only after the sync finished, and no SyncWAL is called after it;
// a failed sync (on the thread that holds the gate) does not deadlock and
// is sticky; SyncWal() is refused on stores not open for writing. Real
// RocksDB over the fault-injection file system.
#include "storage/wal_gate_fs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "storage/fault_injection_fs.h"
#include "storage/store.h"
#include "storage/temp_dir.h"
#include "tests/storage/test_util.h"

namespace connectivity::storage {
namespace {

constexpr ColumnFamily kData = 1;

std::unique_ptr<Store> OpenStore(const std::string& dir, const FaultInjectionEnv& fault) {
  StoreOptions options;
  options.env = fault.env.get();
  options.column_families = {{"data", true}};
  Result<std::unique_ptr<Store>> store = Store::Open(dir, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(WalGateTest, WalFileNames) {
  EXPECT_TRUE(IsWalFileName("/data/000012.log"));
  EXPECT_TRUE(IsWalFileName("7.log"));
  EXPECT_FALSE(IsWalFileName("/data/LOG"));
  EXPECT_FALSE(IsWalFileName("/data/LOG.old.1"));
  EXPECT_FALSE(IsWalFileName("/data/000012.sst"));
  EXPECT_FALSE(IsWalFileName("/data/x12.log"));
  EXPECT_FALSE(IsWalFileName("/data/.log"));
}

TEST(WalGateTest, SyncWalMakesUnsyncedWritesDurable) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kData, "a", "1", /*sync=*/false));
  EXPECT_GT(fault.fs->unsynced_bytes(), 0u);
  ASSERT_OK(store->SyncWal());
  EXPECT_EQ(store->wal_syncs(), 1u);
  ASSERT_OK(store->Put(kData, "b", "2", /*sync=*/false));  // not synced: lost
  fault.fs->SimulateCrash();
  store.reset();
  ASSERT_OK(fault.fs->DropUnsyncedData());
  store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  std::string value;
  Result<bool> a = store->Get(kData, "a", &value);
  ASSERT_RESULT_OK(a);
  EXPECT_TRUE(*a) << "a write covered by SyncWal() was lost";
  Result<bool> b = store->Get(kData, "b", &value);
  ASSERT_RESULT_OK(b);
  EXPECT_FALSE(*b) << "the crash did not drop the unsynced write";
}

TEST(WalGateTest, FailedAppendWaitsForTheRunningSyncAndNoSyncFollows) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kData, "a", "1", /*sync=*/false));

  // A SyncWal() is inside DB::SyncWAL (its fdatasync held by the disk)...
  fault.fs->HoldSyncs(".log");
  Status synced;
  std::thread syncer([&] { synced = store->SyncWal(); });
  fault.fs->WaitUntilSyncHeld();
  // ... when an append to the WAL fails on another thread.
  fault.fs->SetFaults(Faults{.fail_append = true, .file_suffix = ".log"});
  std::atomic<bool> write_returned{false};
  Status written;
  std::thread writer([&] {
    written = store->Put(kData, "b", "2", /*sync=*/false);
    write_returned.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(write_returned.load()) << "a failed WAL append returned while SyncWAL ran";
  fault.fs->ReleaseSyncs();
  syncer.join();
  writer.join();
  EXPECT_OK(synced);  // began before the failure: covers "a"
  EXPECT_FALSE(written.ok());
  EXPECT_GT(fault.fs->injected_failures(), 0u);
  EXPECT_EQ(store->wal_syncs(), 1u);

  // From now on no DB::SyncWAL() runs (it would abort the process).
  fault.fs->ClearFaults();
  const Status refused = store->SyncWal();
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(store->wal_syncs(), 1u);
  EXPECT_FALSE(store->Put(kData, "c", "3", /*sync=*/false).ok());
  EXPECT_FALSE(store->SyncWal().ok());
  EXPECT_EQ(store->wal_syncs(), 1u);
}

TEST(WalGateTest, FailedSyncIsStickyWithoutDeadlock) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kData, "a", "1", /*sync=*/false));
  fault.fs->SetFaults(Faults{.fail_sync = true, .file_suffix = ".log"});
  // The failing fdatasync runs on the thread that holds the gate.
  EXPECT_FALSE(store->SyncWal().ok());
  EXPECT_GT(fault.fs->injected_failures(), 0u);
  EXPECT_EQ(store->wal_syncs(), 1u);
  fault.fs->ClearFaults();
  EXPECT_FALSE(store->write_error().ok());
  EXPECT_FALSE(store->SyncWal().ok());
  EXPECT_FALSE(store->Put(kData, "b", "2", /*sync=*/false).ok());
  EXPECT_EQ(store->wal_syncs(), 1u);
}

// RocksDB's own sync of a closed WAL (SyncClosedLogs, in a flush) fails
// while a SyncWal() waits inside DB::SyncWAL for that sync: the waiting
// SyncWAL must neither deadlock (it holds the gate) nor sync the failed
// writer (RocksDB would abort); IsSyncThreadSafe() turns it away.
TEST(WalGateTest, FailedSyncOfAFlushWhileSyncWalWaitsForItNeitherAbortsNorDeadlocks) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kData, "a", "1", /*sync=*/false));
  fault.fs->HoldSyncs(".log");
  Status flushed;
  std::thread flusher([&] { flushed = store->Flush(); });  // syncs the closed WAL: held
  fault.fs->WaitUntilSyncHeld();
  Status synced;
  std::thread syncer([&] { synced = store->SyncWal(); });  // waits inside DB::SyncWAL
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fault.fs->SetFaults(Faults{.fail_sync = true, .file_suffix = ".log"});
  fault.fs->ReleaseSyncs();
  flusher.join();
  syncer.join();
  EXPECT_GT(fault.fs->injected_failures(), 0u);
  EXPECT_FALSE(flushed.ok());
  EXPECT_FALSE(synced.ok()) << "SyncWAL synced a WAL whose sync had failed";
  fault.fs->ClearFaults();
  const uint64_t syncs = store->wal_syncs();
  EXPECT_FALSE(store->SyncWal().ok());
  EXPECT_FALSE(store->Put(kData, "b", "2", /*sync=*/true).ok());
  EXPECT_EQ(store->wal_syncs(), syncs);
}

TEST(WalGateTest, SyncedWritesGoThroughTheGate) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put(kData, "a", "1", /*sync=*/true));
  EXPECT_EQ(store->wal_syncs(), 1u);
  EXPECT_EQ(fault.fs->unsynced_bytes(), 0u);
  fault.fs->SetFaults(Faults{.fail_sync = true, .file_suffix = ".log"});
  EXPECT_FALSE(store->Put(kData, "b", "2", /*sync=*/true).ok());
  fault.fs->ClearFaults();
  EXPECT_FALSE(store->Put(kData, "c", "3", /*sync=*/true).ok());
  EXPECT_EQ(store->wal_syncs(), 2u);
}

TEST(WalGateTest, SyncWalNeedsAWritableStore) {
  ScopedTempDir temp("wal-gate");
  FaultInjectionEnv fault = MakeFaultInjectionEnv();
  {
    std::unique_ptr<Store> store = OpenStore(temp.path(), fault);
    ASSERT_NE(store, nullptr);
  }
  StoreOptions options;
  options.mode = OpenMode::kReadOnly;
  options.column_families = {{"data", true}};
  Result<std::unique_ptr<Store>> store = Store::Open(temp.path(), options);
  ASSERT_RESULT_OK(store);
  EXPECT_EQ((*store)->SyncWal().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*store)->wal_syncs(), 0u);
}

}  // namespace
}  // namespace connectivity::storage
