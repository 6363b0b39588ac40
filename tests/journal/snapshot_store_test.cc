// Goal: the snapshot store (journal/snapshot_store.h): state rows and the
// watermark are written together or not at all, rows can be overwritten,
// historical lookups find the newest snapshot at or before a revision of the
// right stream only, Clear() removes everything, and damaged snapshot bytes
// are reported as kCorruption naming the key. One behaviour per test.
#include "journal/snapshot_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal/codec.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

class SnapshotStoreTest : public ::testing::Test {
 protected:
  SnapshotStoreTest() : temp_("snapshots") {}

  void SetUp() override {
    journal_ = OpenJournal(temp_.path());
    ASSERT_NE(journal_, nullptr);
  }

  SnapshotStore& store() { return journal_->snapshots(); }

  std::vector<StateRow> AllRows() {
    std::vector<StateRow> rows;
    const std::unique_ptr<StateRowCursor> cursor = store().ReadStateRows();
    while (true) {
      Result<std::optional<StateRow>> next = cursor->Next();
      EXPECT_TRUE(next.ok()) << next.status().ToString();
      if (!next.ok() || !next->has_value()) return rows;
      rows.push_back(std::move(**next));
    }
  }

  std::optional<uint64_t> FindRevision(const std::string& stream, uint64_t revision) {
    Result<std::optional<HistoricalSnapshot>> found = store().FindHistoricalAtOrBefore(stream, revision);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !found->has_value()) return std::nullopt;
    EXPECT_EQ((*found)->stream, stream);
    EXPECT_EQ((*found)->blob, stream + "@" + std::to_string((*found)->revision));
    return (*found)->revision;
  }

  void PutHistory() {
    std::vector<HistoricalSnapshot> snapshots;
    for (const auto& [stream, revision] : std::vector<std::pair<std::string, uint64_t>>{
             {"s", 5}, {"s", 10}, {"s2", 6}, {"r", 1}, {std::string("s\x01", 2), 3}}) {
      snapshots.push_back({stream, revision, stream + "@" + std::to_string(revision)});
    }
    ASSERT_OK(store().PutHistorical(snapshots, /*sync=*/true));
  }

  storage::ScopedTempDir temp_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(SnapshotStoreTest, WatermarkIsZeroBeforeAnyWrite) {
  Result<uint64_t> watermark = store().Watermark();
  ASSERT_RESULT_OK(watermark);
  EXPECT_EQ(*watermark, 0u);
  EXPECT_TRUE(AllRows().empty());
}

TEST_F(SnapshotStoreTest, RowsAndWatermarkReadBack) {
  ASSERT_OK(store().WriteStateRows({{"b", "state b"}, {"a", "state a"}}, 42, /*sync=*/true));
  Result<uint64_t> watermark = store().Watermark();
  ASSERT_RESULT_OK(watermark);
  EXPECT_EQ(*watermark, 42u);
  const std::vector<StateRow> rows = AllRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].stream, "a");
  EXPECT_EQ(rows[0].blob, "state a");
  EXPECT_EQ(rows[1].stream, "b");
  Result<std::optional<std::string>> row = store().ReadStateRow("b");
  ASSERT_RESULT_OK(row);
  EXPECT_EQ(row->value_or("<absent>"), "state b");
}

TEST_F(SnapshotStoreTest, LaterWriteReplacesRowsAndWatermark) {
  ASSERT_OK(store().WriteStateRows({{"a", "old"}, {"b", "kept"}}, 1, /*sync=*/true));
  ASSERT_OK(store().WriteStateRows({{"a", "new"}}, 2, /*sync=*/true));
  Result<std::optional<std::string>> a = store().ReadStateRow("a");
  ASSERT_RESULT_OK(a);
  EXPECT_EQ(a->value_or("<absent>"), "new");
  EXPECT_EQ(AllRows().size(), 2u);
  EXPECT_EQ(*store().Watermark(), 2u);
}

TEST_F(SnapshotStoreTest, InvalidRowWritesNeitherRowsNorWatermark) {
  const Status written = store().WriteStateRows({{"good", "g"}, {"", "bad"}}, 9, /*sync=*/true);
  EXPECT_EQ(written.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(AllRows().empty());
  EXPECT_EQ(*store().Watermark(), 0u);
}

TEST_F(SnapshotStoreTest, FailedWriteLeavesNeitherRowsNorWatermark) {
  storage::FaultInjectionEnv fault = storage::MakeFaultInjectionEnv();
  JournalOptions options;
  options.env = fault.env.get();
  journal_.reset();
  journal_ = OpenJournal(temp_.path(), options);
  ASSERT_NE(journal_, nullptr);
  fault.fs->SetFaults(storage::Faults{.fail_append = true, .file_suffix = ".log"});
  EXPECT_FALSE(store().WriteStateRows({{"a", "x"}, {"b", "y"}}, 7, /*sync=*/true).ok());
  fault.fs->ClearFaults();
  journal_.reset();
  journal_ = OpenJournal(temp_.path(), options);
  ASSERT_NE(journal_, nullptr);
  EXPECT_TRUE(AllRows().empty());
  EXPECT_EQ(*store().Watermark(), 0u);
  journal_.reset();  // before `fault`, whose env it uses
}

TEST_F(SnapshotStoreTest, HistoricalLookupFindsTheNewestAtOrBefore) {
  PutHistory();
  EXPECT_EQ(FindRevision("s", 5), 5u);     // exact
  EXPECT_EQ(FindRevision("s", 7), 5u);     // between
  EXPECT_EQ(FindRevision("s", 10), 10u);
  EXPECT_EQ(FindRevision("s", 99), 10u);   // after the last
  EXPECT_EQ(FindRevision("s", 4), std::nullopt);  // before the first
  EXPECT_EQ(FindRevision("s2", 5), std::nullopt);  // "s2"@6 is not before 5
  EXPECT_EQ(FindRevision("t", 100), std::nullopt);  // "s"'s snapshots are not "t"'s
  EXPECT_EQ(FindRevision(std::string("s\x01", 2), 2), std::nullopt);
}

TEST_F(SnapshotStoreTest, ScanHistoricalIsInStreamRevisionOrder) {
  PutHistory();
  std::vector<std::string> order;
  const std::unique_ptr<HistoricalCursor> cursor = store().ScanHistorical();
  while (true) {
    Result<std::optional<HistoricalSnapshot>> next = cursor->Next();
    ASSERT_RESULT_OK(next);
    if (!next->has_value()) break;
    order.push_back((*next)->blob);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"r@1", "s@5", "s@10", std::string("s\x01@3", 4), "s2@6"}));
}

TEST_F(SnapshotStoreTest, ClearRemovesRowsHistoryAndWatermark) {
  ASSERT_OK(store().WriteStateRows({{"a", "x"}, {std::string(kStreamBytesMax, '\xff'), "y"}}, 3,
                                   /*sync=*/true));
  PutHistory();
  ASSERT_OK(store().Clear());
  EXPECT_TRUE(AllRows().empty());
  EXPECT_EQ(*store().Watermark(), 0u);
  EXPECT_EQ(FindRevision("s", 99), std::nullopt);
}

TEST_F(SnapshotStoreTest, DamagedStateRowIsCorruption) {
  ASSERT_OK(store().WriteStateRows({{"conn-1", "state"}}, 1, /*sync=*/true));
  Result<std::optional<std::string>> raw = TEST_ReadRaw(*journal_, kStateColumnFamily, "conn-1");
  ASSERT_RESULT_OK(raw);
  ASSERT_TRUE(raw->has_value());
  std::string damaged = **raw;
  damaged[kSnapshotHeaderBytes] ^= 0x01;
  ASSERT_OK(TEST_PutRawStateRow(*journal_, "conn-1", damaged));
  const Status read = store().ReadStateRow("conn-1").status();
  EXPECT_EQ(read.code(), ErrorCode::kCorruption);
  EXPECT_NE(read.message().find("state['conn-1']"), std::string::npos) << read.message();
  EXPECT_EQ(store().ReadStateRows()->Next().status().code(), ErrorCode::kCorruption);
}

TEST_F(SnapshotStoreTest, ArbitraryHistoricalBytesAreCorruption) {
  ASSERT_OK(TEST_PutRawHistorical(*journal_, "conn-1", 4, "not a snapshot at all"));
  const Status found = store().FindHistoricalAtOrBefore("conn-1", 9).status();
  EXPECT_EQ(found.code(), ErrorCode::kCorruption);
  EXPECT_NE(found.message().find("history['conn-1' rev 4]"), std::string::npos) << found.message();
  EXPECT_EQ(store().ScanHistorical()->Next().status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace connectivity::journal
