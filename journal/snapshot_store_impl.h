// SnapshotStoreImpl: SnapshotStore on the journal's RocksDB (internal to
// journal/; see snapshot_store.h for the contract and codec.h for the
// layout). State rows live in the "state" column family, historical
// snapshots in "history", the watermark in the default family's meta keys.
// Every value carries the codec's version and checksum, verified on read.
//
// Thread-safe: every call builds its own batch and buffers, on the
// journal's current store (which changes once if a journal opened read-only
// for lack of space reopens for writing). Cursors must not outlive the
// journal.
#ifndef CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_IMPL_H_
#define CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_IMPL_H_

#include <atomic>
#include <functional>

#include "journal/snapshot_store.h"
#include "storage/store.h"

namespace connectivity::journal {

class SnapshotStoreImpl final : public SnapshotStore {
 public:
  // Adds a journal's own entries to the batch that writes the rows and the
  // watermark, or refuses the pass (nothing is written). The etcd journal
  // records there which etcd revision the watermark stands for.
  using WatermarkHook = std::function<Status(uint64_t watermark, storage::WriteBatch& batch)>;

  // `current` (the journal's current store) must outlive this object.
  explicit SnapshotStoreImpl(const std::atomic<storage::Store*>* current, WatermarkHook hook = nullptr)
      : current_(current), hook_(std::move(hook)) {}

  Status WriteStateRows(const std::vector<StateRow>& rows, uint64_t watermark, bool sync) override;
  Result<uint64_t> Watermark() override;
  std::unique_ptr<StateRowCursor> ReadStateRows() override;
  std::unique_ptr<StateRowCursor> ReadStateRowsAfter(std::string_view after) override;
  Status ForEachStateRow(const StateRowVisitor& visit) override;
  Result<std::optional<std::string>> ReadStateRow(std::string_view stream) override;

  Status PutHistorical(const std::vector<HistoricalSnapshot>& snapshots, bool sync) override;
  Result<std::optional<HistoricalSnapshot>> FindHistoricalAtOrBefore(std::string_view stream,
                                                                    uint64_t revision) override;
  std::unique_ptr<HistoricalCursor> ScanHistorical() override;
  std::unique_ptr<HistoricalCursor> ScanHistoricalAfter(std::string_view after) override;
  Status Clear() override;

 private:
  storage::Store& store() const { return *current_->load(std::memory_order_acquire); }

  const std::atomic<storage::Store*>* const current_;
  const WatermarkHook hook_;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_SNAPSHOT_STORE_IMPL_H_
