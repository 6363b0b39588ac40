// journal-replay rebuild-snapshots, and the rebuild that import ends with.
#include "src/tools/rebuild.h"

#include <memory>
#include <string>
#include <vector>

#include "journal/snapshot_store.h"
#include "src/base/json_writer.h"
#include "src/projector/snapshot_codec.h"
#include "src/tools/commands.h"
#include "src/tools/open.h"
#include "src/tools/stream_replayer.h"

namespace connectivity::tools {
namespace {

// Historical snapshots are written in pieces of this many (each piece is
// one unsynced batch; the final synced write covers them).
constexpr size_t kHistoricalPerBatch = 10'000;

class SnapshotWriter {
 public:
  SnapshotWriter(journal::SnapshotStore& store, uint64_t threshold)
      : store_(store), threshold_(threshold) {}

  // Called after each applied event.
  Status OnApplied(const projector::ConnectionState& state) {
    if (state.revision % threshold_ != 0) return Status::Ok();
    historical_.push_back({state.id, state.revision, projector::EncodeSnapshot(state)});
    ++figures_.historical;
    if (historical_.size() < kHistoricalPerBatch) return Status::Ok();
    return FlushHistorical();
  }
  // Called with each connection's final state.
  void OnStreamEnd(const projector::ConnectionState& state) {
    rows_.push_back({state.id, projector::EncodeSnapshot(state)});
  }

  Result<RebuildFigures> Finish(uint64_t watermark) {
    CONNECTIVITY_RETURN_IF_ERROR(FlushHistorical());
    CONNECTIVITY_RETURN_IF_ERROR(store_.WriteStateRows(rows_, watermark, /*sync=*/true));
    figures_.state_rows = rows_.size();
    figures_.watermark = watermark;
    return figures_;
  }

  RebuildFigures& figures() { return figures_; }

 private:
  Status FlushHistorical() {
    const Status status = store_.PutHistorical(historical_, /*sync=*/false);
    historical_.clear();
    return status;
  }

  journal::SnapshotStore& store_;
  const uint64_t threshold_;
  std::vector<journal::HistoricalSnapshot> historical_;
  std::vector<journal::StateRow> rows_;
  RebuildFigures figures_;
};

void PrintFigures(const RebuildFigures& figures, uint64_t threshold, bool json, std::ostream& out) {
  if (json) {
    std::string text;
    JsonWriter w(text);
    w.BeginObject().Key("events").Uint(figures.events).Key("stateRows").Uint(figures.state_rows);
    w.Key("watermark").Uint(figures.watermark).Key("historical").Uint(figures.historical);
    w.Key("threshold").Uint(threshold).EndObject();
    out << text << "\n";
    return;
  }
  out << "rebuilt " << GroupDigits(figures.state_rows) << " state rows (watermark "
      << figures.watermark << ") and " << GroupDigits(figures.historical)
      << " historical snapshots (every " << threshold << " revisions) from "
      << GroupDigits(figures.events) << " events\n";
}

}  // namespace

Result<RebuildFigures> RebuildSnapshots(journal::Journal& journal, uint64_t threshold,
                                        Output& output) {
  const uint64_t watermark = journal.last_sequence();
  CONNECTIVITY_RETURN_IF_ERROR(journal.snapshots().Clear());
  SnapshotWriter writer(journal.snapshots(), threshold);
  StreamReplayer replayer;
  Progress progress(output, "rebuild-snapshots", watermark);
  const Status scanned = journal.ForEachEvent([&](const journal::EventView& view) -> Status {
    if (!progress.Tick()) return InterruptedStatus();
    if (replayer.StartsNewStream(view.stream)) {
      if (replayer.state().revision > 0) writer.OnStreamEnd(replayer.state());
      replayer.Reset();
    }
    CONNECTIVITY_RETURN_IF_ERROR(replayer.Apply(view));
    ++writer.figures().events;
    return writer.OnApplied(replayer.state());
  });
  progress.Finish();
  CONNECTIVITY_RETURN_IF_ERROR(scanned);
  if (replayer.state().revision > 0) writer.OnStreamEnd(replayer.state());
  if (writer.figures().events != watermark) {
    return Status::Corruption("the journal holds " + std::to_string(writer.figures().events) +
                              " events but its last sequence is " + std::to_string(watermark));
  }
  return writer.Finish(watermark);
}

ExitCode RunRebuildSnapshots(const Invocation& invocation, Output& output) {
  // Never create a journal in a mistyped directory.
  const Status exists = CheckJournalDir(invocation.data_dir);
  if (!exists.ok()) return FailOpen(output, invocation.data_dir, exists);
  Result<std::unique_ptr<OpenedJournal>> opened =
      OpenJournalForWriting(invocation.data_dir, nullptr);
  if (!opened.ok()) return FailOpen(output, invocation.data_dir, opened.status());
  Result<RebuildFigures> figures =
      RebuildSnapshots(***opened, invocation.snapshot_threshold, output);
  if (!figures.ok() && Interrupted()) {
    return Fail(output, ExitCode::kInterrupted,
                "interrupted: the snapshots are partly rebuilt (a server would replay the whole "
                "journal); run rebuild-snapshots again");
  }
  if (!figures.ok()) return FailStatus(output, figures.status());
  PrintFigures(*figures, invocation.snapshot_threshold, invocation.json, output.out);
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
