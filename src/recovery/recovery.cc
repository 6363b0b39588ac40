#include "src/recovery/recovery.h"

#include <unordered_set>

#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::recovery {
namespace {

Status RecoverLoadStateRows(journal::Journal& journal, Recovered& recovered) {
  std::unique_ptr<journal::StateRowCursor> cursor = journal.snapshots().ReadStateRows();
  while (true) {
    Result<std::optional<journal::StateRow>> row = cursor->Next();
    if (!row.ok()) return row.status();
    if (!row->has_value()) return Status::Ok();
    Result<projector::ConnectionState> state = projector::DecodeSnapshot((*row)->blob);
    if (!state.ok()) {
      return Status::Corruption("state row '" + (*row)->stream + "': " + state.status().message());
    }
    if (state->id != (*row)->stream) {
      return Status::Corruption("state row '" + (*row)->stream + "' holds the state of '" +
                                state->id + "'");
    }
    // Rows arrive in id order, so inserting at the end is O(1).
    recovered.states.emplace_hint(recovered.states.end(), (*row)->stream, std::move(*state));
    ++recovered.report.state_rows_loaded;
  }
}

Status RecoverReplay(journal::Journal& journal, Recovered& recovered) {
  const uint64_t first_sequence = recovered.report.watermark + 1;
  std::unique_ptr<journal::EventCursor> cursor = journal.ReadGlobal(first_sequence);
  uint64_t expected_sequence = first_sequence;
  std::unordered_set<std::string> touched;
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    const journal::Event& e = **event;
    if (e.sequence != expected_sequence) {
      return Status::Corruption("global order gap: expected sequence " +
                                std::to_string(expected_sequence) + ", found " +
                                std::to_string(e.sequence) + " ('" + e.stream + "' revision " +
                                std::to_string(e.revision) + ")");
    }
    auto [it, inserted] = recovered.states.try_emplace(e.stream);
    if (touched.insert(e.stream).second) recovered.touched.push_back(e.stream);
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(it->second, e));
    ++recovered.report.events_replayed;
    ++expected_sequence;
  }
  if (expected_sequence - 1 < journal.last_sequence()) {
    return Status::Corruption("journal ends at sequence " + std::to_string(expected_sequence - 1) +
                              " but its order index reaches " +
                              std::to_string(journal.last_sequence()));
  }
  recovered.report.last_sequence = journal.last_sequence();
  return Status::Ok();
}

}  // namespace

Result<Recovered> Recover(journal::Journal& journal, const Clock& clock) {
  const int64_t start_us = clock.MonotonicMicros();
  Recovered recovered;
  Result<uint64_t> watermark = journal.snapshots().Watermark();
  if (!watermark.ok()) return watermark.status();
  if (*watermark > journal.last_sequence()) {
    return Status::Corruption("snapshot watermark " + std::to_string(*watermark) +
                              " is past the journal's last sequence " +
                              std::to_string(journal.last_sequence()));
  }
  recovered.report.watermark = *watermark;
  CONNECTIVITY_RETURN_IF_ERROR(RecoverLoadStateRows(journal, recovered));
  CONNECTIVITY_RETURN_IF_ERROR(RecoverReplay(journal, recovered));
  recovered.report.duration_us = clock.MonotonicMicros() - start_us;
  return recovered;
}

}  // namespace connectivity::recovery
