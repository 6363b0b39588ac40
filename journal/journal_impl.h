// JournalImpl: the RocksDB journal behind journal.h (internal to journal/;
// journal_testing.cc reaches the store through it).
//
// Owns, in destruction order: the commit thread (stopped first), the
// snapshot store, then the RocksDB stores. Writes go through the
// GroupCommitter; reads go straight to the current store (see cursors.h).
//
// A journal opened read-only because the disk had no room (the server's
// start below --disk-headroom) can reopen for writing once space returns:
// a read-write store is opened beside the read-only one, checked to end at
// the same sequence, and becomes the current store. The read-only store
// stays open until the journal closes, since readers that began on it may
// still hold its iterators.
#ifndef CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_
#define CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_

#include <atomic>
#include <memory>
#include <vector>

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

  // REQUIRES: opened kReadOnly with read_only_for_space. Opens the data
  // dir for writing and starts the commit thread; on failure the journal
  // stays read-only. Not concurrent with itself.
  Status ReopenForWriting() override;

  void Append(AppendRequest request, AppendCallback done) override;
  Result<Event> AppendAndWait(AppendRequest request) override;
  Status health() const override;
  void RefreshSpace() override;
  bool read_only_for_space() const override { return read_only_for_space_.load(); }
  void Close() override;
  Status Flush() override;

  uint64_t last_sequence() const override;
  Result<uint64_t> LastRevision(std::string_view stream) override;
  Result<std::optional<Event>> ReadEvent(std::string_view stream, uint64_t revision) override;
  std::unique_ptr<EventCursor> ReadStream(std::string_view stream, uint64_t from_revision,
                                          uint64_t to_revision) override;
  std::unique_ptr<EventCursor> ReadGlobal(uint64_t from_sequence) override;
  std::unique_ptr<EventCursor> ScanAll() override;
  std::unique_ptr<EventCursor> ScanFrom(std::string_view stream, uint64_t revision) override;
  Result<uint64_t> FirstSequenceAtOrAfter(int64_t timestamp_us) override;
  Status Refresh() override;
  JournalStats Stats() override;
  SnapshotStore& snapshots() override { return snapshots_; }
  JournalMetrics metrics() const override;
  Status ForEachEvent(const EventVisitor& visit) override;
  Result<std::optional<std::string>> ReadMetaBlob(std::string_view key) override;
  Status WriteMetaBlob(std::string_view key, std::optional<std::string_view> blob, bool sync) override;
  Status RewritePayloads(const std::vector<PayloadRewrite>& rewrites, std::string_view meta_key,
                         std::string_view meta_blob, bool sync) override;
  Status CompactAll() override;

  storage::Store& store() const { return *current_store_.load(std::memory_order_acquire); }

 private:
  Status RecoverFormatVersion();
  // Reads the last order entry of `store` (and checks its record) into *position.
  static Status RecoverPosition(storage::Store& store, GroupCommitter::Position* position);
  Result<int64_t> TimestampAt(uint64_t sequence);
  Status ReadOnlyRefusal() const;
  GroupCommitter* committer() const { return committer_.load(std::memory_order_acquire); }
  // The newest sequence the API's reads may show. While the commit thread
  // runs, events reach RocksDB (sync=false) before the WAL sync that makes
  // them durable; every read below (LastRevision, ReadEvent, ReadStream,
  // ReadGlobal, the scans) stops at the synced watermark, so that no reader
  // sees an event a crash could still lose (cursors.h). Read-only and
  // secondary opens (tools, start-up) show everything.
  uint64_t visible_through() const;
  void StartCommitter(const GroupCommitter::Position& position);

  const JournalOptions options_;
  // Every store opened; the last is current. Changed only by ReopenForWriting.
  std::vector<std::unique_ptr<storage::Store>> stores_;
  std::atomic<storage::Store*> current_store_;
  std::atomic<bool> read_only_for_space_{false};
  SnapshotStoreImpl snapshots_;
  JournalCounters counters_;
  // kReadOnly / kSecondary: where the journal ended at open or Refresh().
  std::atomic<uint64_t> last_sequence_read_only_{0};
  // Published once the commit thread runs (at open, or by ReopenForWriting);
  // null while read-only. Declared last so that it is destroyed (joined) first.
  std::atomic<GroupCommitter*> committer_{nullptr};
  std::unique_ptr<GroupCommitter> committer_owner_;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_JOURNAL_IMPL_H_
