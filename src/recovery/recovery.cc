#include "src/recovery/recovery.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::recovery {
namespace {

// Rows arrive in id order, so the vector comes out sorted. The rows are
// read as views and decoded straight into their states: start-up time is
// mostly this loop.
Status RecoverLoadStateRows(journal::Journal& journal, Recovered& recovered) {
  return journal.snapshots().ForEachStateRow([&recovered](std::string_view stream, std::string_view blob) {
    Result<projector::ConnectionState> state = projector::DecodeSnapshot(blob);
    if (!state.ok()) {
      return Status::Corruption("state row '" + std::string(stream) + "': " + state.status().message());
    }
    if (state->id != stream) {
      return Status::Corruption("state row '" + std::string(stream) + "' holds the state of '" + state->id + "'");
    }
    recovered.states.push_back(std::move(*state));
    ++recovered.report.state_rows_loaded;
    return Status::Ok();
  });
}

// The state of `id` in `recovered.states`, added at the end if new; the
// index is built on first use, so a start-up without a tail pays nothing.
class StateIndex {
 public:
  explicit StateIndex(Recovered& recovered) : recovered_(recovered) {}

  projector::ConnectionState& Find(const std::string& id) {
    if (index_.empty()) {
      for (size_t i = 0; i < recovered_.states.size(); ++i) index_.emplace(recovered_.states[i].id, i);
    }
    auto [it, inserted] = index_.try_emplace(id, recovered_.states.size());
    if (inserted) {
      recovered_.states.emplace_back();
      added_ = true;
    }
    return recovered_.states[it->second];
  }

  // Restores id order if the tail created connections.
  void Finish() {
    if (!added_) return;
    std::sort(recovered_.states.begin(), recovered_.states.end(),
              [](const projector::ConnectionState& a, const projector::ConnectionState& b) { return a.id < b.id; });
  }

 private:
  Recovered& recovered_;
  std::unordered_map<std::string, size_t> index_;
  bool added_ = false;
};

Status RecoverReplay(journal::Journal& journal, Recovered& recovered) {
  const uint64_t first_sequence = recovered.report.watermark + 1;
  std::unique_ptr<journal::EventCursor> cursor = journal.ReadGlobal(first_sequence);
  uint64_t expected_sequence = first_sequence;
  std::unordered_set<std::string> touched;
  StateIndex index(recovered);
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
    if (touched.insert(e.stream).second) recovered.touched.push_back(e.stream);
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(index.Find(e.stream), e));
    ++recovered.report.events_replayed;
    ++expected_sequence;
  }
  index.Finish();
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
