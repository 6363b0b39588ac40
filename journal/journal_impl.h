// JournalImpl: the RocksDB journal behind journal.h (internal to journal/;
// journal_testing.cc reaches the store through it).
//
// Owns, in destruction order: the commit thread (stopped first), the
// snapshot store, then the RocksDB store. Writes go through the
// GroupCommitter; reads go straight to the store (see cursors.h).
#ifndef CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_
#define CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_

#include <atomic>
#include <memory>

#include "journal/group_commit.h"
#include "journal/journal.h"
#include "journal/metrics.h"
#include "journal/snapshot_store_impl.h"
#include "storage/store.h"

namespace connectivity::journal {

class JournalImpl final : public Journal {
 public:
  JournalImpl(std::unique_ptr<storage::Store> store, const JournalOptions& options);
  ~JournalImpl() override;

  // Checks the format version (writing it into a new journal), finds where
  // the journal ends, and starts the commit thread (kReadWrite).
  Status Recover();

  void Append(AppendRequest request, AppendCallback done) override;
  Result<Event> AppendAndWait(AppendRequest request) override;
  Status health() const override;
  void Close() override;
  Status Flush() override;

  uint64_t last_sequence() const override;
  Result<uint64_t> LastRevision(std::string_view stream) override;
  Result<std::optional<Event>> ReadEvent(std::string_view stream, uint64_t revision) override;
  std::unique_ptr<EventCursor> ReadStream(std::string_view stream, uint64_t from_revision,
                                          uint64_t to_revision) override;
  std::unique_ptr<EventCursor> ReadGlobal(uint64_t from_sequence) override;
  std::unique_ptr<EventCursor> ScanAll() override;
  Result<uint64_t> FirstSequenceAtOrAfter(int64_t timestamp_us) override;
  Status Refresh() override;
  JournalStats Stats() override;
  SnapshotStore& snapshots() override { return snapshots_; }
  JournalMetrics metrics() const override { return counters_.Snapshot(); }
  Status ForEachEvent(const EventVisitor& visit) override;

  storage::Store& store() { return *store_; }

 private:
  Status RecoverFormatVersion();
  // Reads the last order entry (and checks its record) into *position.
  Status RecoverPosition(GroupCommitter::Position* position);
  Result<int64_t> TimestampAt(uint64_t sequence);

  const JournalOptions options_;
  std::unique_ptr<storage::Store> store_;
  SnapshotStoreImpl snapshots_;
  JournalCounters counters_;
  // kReadOnly / kSecondary: where the journal ended at open or Refresh().
  std::atomic<uint64_t> last_sequence_read_only_{0};
  // kReadWrite only; declared last so that it is destroyed (joined) first.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_
