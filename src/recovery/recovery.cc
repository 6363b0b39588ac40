#include "src/recovery/recovery.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/secret_codec.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::recovery {
namespace {

// The rows are a cache of the journal; when they disagree with it, recovery
// folds the journal again instead of stopping (see recovery.h).
struct RowsDisagree {
  std::string reason;
};

// Rows arrive in id order, so the vector comes out sorted. The rows are
// read as views and decoded straight into their states: start-up time is
// mostly this loop.
Status RecoverLoadStateRows(journal::Journal& journal, const projector::SecretCodec& secrets,
                            Recovered& recovered) {
  return journal.snapshots().ForEachStateRow([&](std::string_view stream, std::string_view blob) {
    Result<projector::ConnectionState> state = projector::DecodeSnapshot(blob);
    if (!state.ok()) {
      return Status::Corruption("state row '" + std::string(stream) + "': " + state.status().message());
    }
    if (Status opened = secrets.Open(state->json); !opened.ok()) {
      return Status(opened.code(), "state row '" + std::string(stream) + "': " + opened.message());
    }
    if (state->id != stream) {
      return Status::Corruption("state row '" + std::string(stream) + "' holds the state of '" + state->id + "'");
    }
    recovered.states.push_back(std::move(*state));
    ++recovered.report.state_rows_loaded;
    return Status::Ok();
  });
}

// Every event raises one connection's revision by one, and sequences run
// from 1 without gaps: rows current to W have revisions summing to W.
std::optional<RowsDisagree> CheckRowsAgainstWatermark(const Recovered& recovered) {
  uint64_t sum = 0;
  for (const projector::ConnectionState& state : recovered.states) sum += state.revision;
  if (sum == recovered.report.watermark) return std::nullopt;
  return RowsDisagree{"the state rows' revisions sum to " + std::to_string(sum) + ", not to their watermark " +
                      std::to_string(recovered.report.watermark)};
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

Status CheckJournalEnd(journal::Journal& journal, uint64_t last_replayed) {
  if (last_replayed < journal.last_sequence()) {
    return Status::Corruption("journal ends at sequence " + std::to_string(last_replayed) +
                              " but its order index reaches " + std::to_string(journal.last_sequence()));
  }
  return Status::Ok();
}

// Replays the tail after the watermark onto the rows. A tail event that does
// not continue its connection's row means the rows are wrong: `disagree` is
// set and the replay stops (the journal itself may still be fine).
Status RecoverReplay(journal::Journal& journal, const projector::SecretCodec& secrets, Recovered& recovered,
                     std::optional<RowsDisagree>& disagree) {
  const uint64_t first_sequence = recovered.report.watermark + 1;
  std::unique_ptr<journal::EventCursor> cursor = journal.ReadGlobal(first_sequence);
  uint64_t expected_sequence = first_sequence;
  std::unordered_set<std::string> touched;
  StateIndex index(recovered);
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    journal::Event& e = **event;
    if (e.sequence != expected_sequence) {
      return Status::Corruption("global order gap: expected sequence " +
                                std::to_string(expected_sequence) + ", found " +
                                std::to_string(e.sequence) + " ('" + e.stream + "' revision " +
                                std::to_string(e.revision) + ")");
    }
    projector::ConnectionState& state = index.Find(e.stream);
    if (e.revision != state.revision + 1) {
      disagree = RowsDisagree{"event '" + e.stream + "' revision " + std::to_string(e.revision) +
                              " after the watermark does not continue its state row at revision " +
                              std::to_string(state.revision)};
      return Status::Ok();
    }
    if (touched.insert(e.stream).second) recovered.touched.push_back(e.stream);
    CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets, e));
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(state, e));
    ++recovered.report.events_replayed;
    ++expected_sequence;
  }
  index.Finish();
  CONNECTIVITY_RETURN_IF_ERROR(CheckJournalEnd(journal, expected_sequence - 1));
  recovered.report.last_sequence = journal.last_sequence();
  return Status::Ok();
}

// Folds every connection from its first event, in (id, revision) order,
// and compares each row with the connection's state at the watermark.
class Rebuild {
 public:
  Rebuild(const Recovered& loaded, uint64_t last_sequence, const projector::SecretCodec& secrets)
      : secrets_(secrets), watermark_(loaded.report.watermark), seen_(last_sequence + 1, false) {
    for (const projector::ConnectionState& row : loaded.states) rows_.emplace(row.id, &row);
  }

  Status Fold(const journal::EventView& event) {
    if (states_.empty() || states_.back().id != event.stream) Begin();
    if (event.sequence >= seen_.size() || seen_[event.sequence]) {
      return Status::Corruption("event '" + std::string(event.stream) + "' revision " +
                                std::to_string(event.revision) + " has sequence " +
                                std::to_string(event.sequence) + ", outside the journal's order or taken twice");
    }
    seen_[event.sequence] = true;
    ++events_;
    journal::Event copy{std::string(event.stream), event.revision, event.sequence, event.timestamp_us,
                        event.type, std::string(event.payload)};
    CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets_, copy));
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(states_.back(), copy));
    if (event.sequence <= watermark_) at_watermark_ = states_.back();
    return Status::Ok();
  }

  // Compares the last connection with its row; call after the last event.
  Status Finish(Recovered& rebuilt, uint64_t last_sequence) {
    if (!states_.empty()) CompareLast();
    for (const auto& [id, row] : rows_) {
      if (!compared_.count(id)) Wrong(id);  // a row for a connection without events
    }
    if (events_ != last_sequence) {
      return Status::Corruption("the journal holds " + std::to_string(events_) +
                                " events but its order index reaches " + std::to_string(last_sequence));
    }
    rebuilt.states = std::move(states_);
    rebuilt.report.events_replayed = events_;
    rebuilt.report.last_sequence = last_sequence;
    rebuilt.report.wrong_rows = wrong_rows_;
    rebuilt.report.wrong_row_ids = std::move(wrong_ids_);
    for (const projector::ConnectionState& state : rebuilt.states) rebuilt.touched.push_back(state.id);
    return Status::Ok();
  }

 private:
  void Begin() {
    if (!states_.empty()) CompareLast();
    states_.emplace_back();
    at_watermark_ = projector::ConnectionState{};
  }

  void CompareLast() {
    const std::string& id = states_.back().id;
    compared_.insert(id);
    const auto row = rows_.find(id);
    const bool expected_row = at_watermark_.revision > 0;
    if (row == rows_.end() ? expected_row : !(*row->second == at_watermark_)) Wrong(id);
  }

  void Wrong(const std::string& id) {
    ++wrong_rows_;
    if (wrong_ids_.size() < kWrongRowsNamed) wrong_ids_.push_back(id);
  }

  const projector::SecretCodec& secrets_;
  const uint64_t watermark_;
  std::unordered_map<std::string, const projector::ConnectionState*> rows_;
  std::unordered_set<std::string> compared_;
  std::vector<bool> seen_;  // sequences met, to prove the order has no gap or double
  uint64_t events_ = 0;
  States states_;
  projector::ConnectionState at_watermark_;
  uint64_t wrong_rows_ = 0;
  std::vector<std::string> wrong_ids_;
};

Result<Recovered> RebuildFromJournal(journal::Journal& journal, const Recovered& loaded, std::string reason,
                                     const projector::SecretCodec& secrets) {
  const uint64_t last_sequence = journal.last_sequence();
  Rebuild rebuild(loaded, last_sequence, secrets);
  CONNECTIVITY_RETURN_IF_ERROR(journal.ForEachEvent([&rebuild](const journal::EventView& event) {
    return rebuild.Fold(event);
  }));
  Recovered rebuilt;
  rebuilt.report.state_rows_loaded = loaded.report.state_rows_loaded;
  rebuilt.report.watermark = loaded.report.watermark;
  rebuilt.report.rebuilt = true;
  rebuilt.report.rebuild_reason = std::move(reason);
  CONNECTIVITY_RETURN_IF_ERROR(rebuild.Finish(rebuilt, last_sequence));
  return rebuilt;
}

}  // namespace

Result<Recovered> Recover(journal::Journal& journal, const Clock& clock, const projector::SecretCodec& secrets) {
  const int64_t start_us = clock.MonotonicMicros();
  Recovered recovered;
  Result<uint64_t> watermark = journal.snapshots().Watermark();
  if (!watermark.ok()) return watermark.status();
  recovered.report.watermark = *watermark;
  CONNECTIVITY_RETURN_IF_ERROR(RecoverLoadStateRows(journal, secrets, recovered));
  std::optional<RowsDisagree> disagree;
  if (*watermark > journal.last_sequence()) {
    disagree = RowsDisagree{"the snapshot watermark " + std::to_string(*watermark) +
                            " is past the journal's last sequence " + std::to_string(journal.last_sequence())};
  }
  if (!disagree) disagree = CheckRowsAgainstWatermark(recovered);
  if (!disagree) CONNECTIVITY_RETURN_IF_ERROR(RecoverReplay(journal, secrets, recovered, disagree));
  if (disagree) {
    Result<Recovered> rebuilt = RebuildFromJournal(journal, recovered, std::move(disagree->reason), secrets);
    if (!rebuilt.ok()) return rebuilt.status();
    recovered = std::move(*rebuilt);
  }
  recovered.report.duration_us = clock.MonotonicMicros() - start_us;
  return recovered;
}

}  // namespace connectivity::recovery
