// SimJournal: the whole journal::Journal and journal::SnapshotStore interface
// in memory, over a SimDisk, for the deterministic simulation.
//
// It keeps the real journal's contract (journal.h): an append is checked
// against the stream's last revision, stamped with the next sequence and a
// strictly increasing timestamp, written as one synced batch with the others
// of its batch, and only then answered, in sequence order; a failed write or
// sync fails its batch and every later append (sticky kUnavailable); a full
// disk refuses a batch with kUnavailable before writing, and writes resume
// when space returns. What differs is who drives it: there is no commit
// thread. Append() queues; the simulation calls Commit(n) to write the first
// n queued appends as one batch and run their callbacks on its own thread,
// so every interleaving of commands, batches, snapshot passes and crashes
// comes from the simulation's seeded generator.
//
// Layer covered: everything above the journal interface (service,
// snapshotter, recovery, projector) runs for real. RocksDB, the record codec
// and the group-commit thread are not simulated: the crash test
// (scripts/crashtest) and the journal's fault tests cover those.
#ifndef CONNECTIVITY_TESTS_SIMULATION_SIM_JOURNAL_H_
#define CONNECTIVITY_TESTS_SIMULATION_SIM_JOURNAL_H_

#include <deque>
#include <memory>
#include <string>

#include "journal/journal.h"
#include "journal/snapshot_store.h"
#include "src/base/clock.h"
#include "tests/simulation/sim_disk.h"

namespace connectivity::simulation {

class SimJournal final : public journal::Journal, public journal::SnapshotStore {
 public:
  // `disk` and `clock` must outlive the journal.
  SimJournal(SimDisk& disk, const Clock& clock) : disk_(disk), clock_(clock) {}

  // --- simulation control ---
  size_t queued() const { return queue_.size(); }
  // Writes the first `count` queued appends (at least one) as one batch and
  // answers them.
  void Commit(size_t count);
  // The process died: queued appends are dropped without an answer.
  void Abandon() { queue_.clear(); }

  // --- journal::Journal ---
  void Append(journal::AppendRequest request, journal::AppendCallback done) override;
  Result<journal::Event> AppendAndWait(journal::AppendRequest request) override;
  Status health() const override { return sticky_; }
  void Close() override;
  Status Flush() override { return disk_.Flush(); }
  uint64_t last_sequence() const override { return disk_.current().last_sequence(); }
  Result<uint64_t> LastRevision(std::string_view stream) override;
  Result<std::optional<journal::Event>> ReadEvent(std::string_view stream, uint64_t revision) override;
  std::unique_ptr<journal::EventCursor> ReadStream(std::string_view stream, uint64_t from_revision,
                                                   uint64_t to_revision) override;
  std::unique_ptr<journal::EventCursor> ReadGlobal(uint64_t from_sequence) override;
  std::unique_ptr<journal::EventCursor> ScanAll() override;
  Result<uint64_t> FirstSequenceAtOrAfter(int64_t timestamp_us) override;
  Status Refresh() override { return Status::Ok(); }
  journal::JournalStats Stats() override { return {last_sequence(), 0, 0}; }
  journal::SnapshotStore& snapshots() override { return *this; }

  // --- journal::SnapshotStore ---
  Status WriteStateRows(const std::vector<journal::StateRow>& rows, uint64_t watermark,
                        bool sync) override;
  Result<uint64_t> Watermark() override { return disk_.current().watermark; }
  std::unique_ptr<journal::StateRowCursor> ReadStateRows() override;
  Status ForEachStateRow(const StateRowVisitor& visit) override;
  Result<std::optional<std::string>> ReadStateRow(std::string_view stream) override;
  Status PutHistorical(const std::vector<journal::HistoricalSnapshot>& snapshots,
                       bool sync) override;
  Result<std::optional<journal::HistoricalSnapshot>> FindHistoricalAtOrBefore(
      std::string_view stream, uint64_t revision) override;
  std::unique_ptr<journal::HistoricalCursor> ScanHistorical() override;
  Status Clear() override;

 private:
  struct Pending {
    journal::AppendRequest request;
    journal::AppendCallback done;
  };
  // Checks one append against the streams as the batch leaves them.
  Status Admit(const journal::AppendRequest& request,
               std::map<std::string, uint64_t>& batch_revisions, uint64_t* revision) const;
  // The disk refuses while full (the free-space guard), without stickiness.
  Status WriteGuarded(const SimDisk::Mutation& mutation, bool sync);

  SimDisk& disk_;
  const Clock& clock_;
  std::deque<Pending> queue_;
  Status sticky_;
  bool closed_ = false;
};

}  // namespace connectivity::simulation

#endif  // CONNECTIVITY_TESTS_SIMULATION_SIM_JOURNAL_H_
