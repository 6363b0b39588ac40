// journal-replay verify, pass 3: events, state rows and historical
// snapshots, merged in (connection, revision) key order (see verify.h).
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "journal/codec.h"
#include "src/projector/snapshot_codec.h"
#include "src/tools/stream_replayer.h"
#include "src/tools/verify.h"

namespace connectivity::tools::verify {
namespace {

using journal::kEventsColumnFamily;
using journal::kHistoryColumnFamily;
using journal::kStateColumnFamily;
using projector::ConnectionState;

constexpr uint32_t kNoStream = std::numeric_limits<uint32_t>::max();

// Which fields of a stored snapshot differ from the replay, for the problem
// message ("in: connection JSON, _modified").
std::string Difference(const ConnectionState& stored, const ConnectionState& replayed) {
  std::string fields;
  auto add = [&](bool differs, std::string_view name) {
    if (!differs) return;
    if (!fields.empty()) fields += ", ";
    fields += name;
  };
  add(stored.id != replayed.id, "id");
  add(stored.revision != replayed.revision, "revision");
  add(stored.connection_revision != replayed.connection_revision, "_revision");
  add(stored.deleted != replayed.deleted, "__lifecycle");
  add(stored.created_us != replayed.created_us, "_created");
  add(stored.modified_us != replayed.modified_us, "_modified");
  add(stored.json != replayed.json, "connection JSON");
  add(stored.stats != replayed.stats, "event counts");
  return fields;
}

// Decodes a state row or historical snapshot value down to the state, with
// its secrets opened when the tool has a key.
Result<ConnectionState> DecodeStored(journal::CrcTag tag, std::string_view key,
                                     std::string_view value, const crypto::ConnectionSecrets& secrets) {
  std::string_view blob;
  CONNECTIVITY_RETURN_IF_ERROR(journal::DecodeSnapshot(tag, key, value, &blob));
  Result<ConnectionState> state = projector::DecodeSnapshot(blob);
  if (!state.ok()) return Status::Corruption("not a snapshot: " + state.status().message());
  if (Status opened = secrets.Open(state->json); !opened.ok()) {
    return Status(opened.code(), "its secrets do not decrypt: " + opened.message());
  }
  return state;
}

// The connection being checked.
struct StreamCheck {
  std::string stream;
  uint32_t index = kNoStream;  // in Ledger::stream_names
  uint64_t revision_expected = 1;
  uint64_t sequence_last = 0;
  uint64_t revision_at_watermark = 0;  // its last revision with sequence <= watermark
  bool broken = false;                 // a problem stopped its replay
  // Its state row.
  std::string row_key;
  std::optional<ConnectionState> row;  // decoded
  bool row_present = false;
  bool row_compared = false;
};

class EventsPass {
 public:
  EventsPass(const storage::Store& store, const crypto::ConnectionSecrets& secrets, Ledger& ledger,
             Problems& problems, Output& output)
      : secrets_(secrets),
        ledger_(ledger),
        problems_(problems),
        events_(store.NewIterator(kEventsColumnFamily, FullScan())),
        rows_(store.NewIterator(kStateColumnFamily, FullScan())),
        history_(store.NewIterator(kHistoryColumnFamily, FullScan())),
        progress_(output, "verify (events)", ledger.last_sequence),
        replayer_(secrets) {
    ledger_.decrypted = secrets.can_decrypt();
  }

  Status Run() {
    rows_->SeekToFirst();
    history_->SeekToFirst();
    for (events_->SeekToFirst(); events_->Valid(); events_->Next()) {
      if (!progress_.Tick()) return InterruptedStatus();
      OnEvent(events_->key(), events_->value());
    }
    CONNECTIVITY_RETURN_IF_ERROR(events_->status());
    if (!current_.stream.empty()) FinishStream();
    DrainRows(std::nullopt);
    DrainHistory(std::nullopt);
    CONNECTIVITY_RETURN_IF_ERROR(rows_->status());
    return history_->status();
  }

 private:
  static storage::ScanOptions FullScan() {
    storage::ScanOptions scan;
    scan.full_scan = true;
    return scan;
  }

  void OnEvent(std::string_view key, std::string_view value);
  void OnEventReplay(std::string_view key, const journal::EventView& view);
  void CheckOrder(std::string_view key, uint64_t revision, const journal::RecordFields& fields);
  void StartStream(std::string_view stream);
  void FinishStream();
  void LoadRow();
  void CompareRow();
  // Snapshots with keys below `end` (all if nullopt) that no event reached.
  void DrainRows(std::optional<std::string_view> end);
  void DrainHistory(std::optional<std::string_view> end);
  void CompareHistory(std::string_view key);
  // Difference() of a stored snapshot and the replay; without a key, JSON
  // that differs only in encrypted values counts as equal (and is counted).
  std::string Compare(const ConnectionState& stored, const ConnectionState& replayed);

  const crypto::ConnectionSecrets& secrets_;
  Ledger& ledger_;
  Problems& problems_;
  const std::unique_ptr<storage::Iterator> events_;
  const std::unique_ptr<storage::Iterator> rows_;
  const std::unique_ptr<storage::Iterator> history_;
  Progress progress_;
  StreamCheck current_;
  StreamReplayer replayer_;
};

void EventsPass::OnEvent(std::string_view key, std::string_view value) {
  journal::EventView view;
  if (!journal::ParseStreamKey(key, &view.stream, &view.revision)) {
    problems_.Add(kEventsColumnFamily, key, "malformed events key");
    return;
  }
  if (view.stream != current_.stream) {
    if (!current_.stream.empty()) FinishStream();
    StartStream(view.stream);
  }
  ++ledger_.events;
  if (view.revision != current_.revision_expected) {
    problems_.Add(kEventsColumnFamily, key,
                  "revision gap in its stream (expected revision " +
                      std::to_string(current_.revision_expected) + ")");
    current_.broken = true;
  }
  current_.revision_expected = view.revision + 1;
  journal::RecordFields fields;
  const Status decoded = journal::DecodeRecord(key, value, &fields);
  if (!decoded.ok()) {
    problems_.Add(kEventsColumnFamily, key, decoded);
    current_.broken = true;
    if (current_.index != kNoStream)
      ledger_.damaged_records.insert({current_.index, view.revision});
  } else {
    CheckOrder(key, view.revision, fields);
    view.sequence = fields.sequence;
    view.timestamp_us = fields.timestamp_us;
    view.type = fields.type;
    view.payload = fields.payload;
    OnEventReplay(key, view);
  }
  DrainHistory(key);
  if (history_->Valid() && history_->key() == key) CompareHistory(key);
}

void EventsPass::OnEventReplay(std::string_view key, const journal::EventView& view) {
  if (view.sequence <= current_.sequence_last) {
    problems_.Add(kEventsColumnFamily, key,
                  "sequence " + std::to_string(view.sequence) +
                      " is not after its previous revision's " +
                      std::to_string(current_.sequence_last));
  }
  current_.sequence_last = view.sequence;
  if (view.sequence <= ledger_.watermark) current_.revision_at_watermark = view.revision;
  if (current_.broken) return;
  const Status applied = replayer_.Apply(view);
  if (!applied.ok()) {
    problems_.Add(kEventsColumnFamily, key, "the projector rejects it: " + applied.message());
    current_.broken = true;
    return;
  }
  if (current_.row && current_.row->revision == view.revision) CompareRow();
}

void EventsPass::CheckOrder(std::string_view key, uint64_t revision,
                            const journal::RecordFields& fields) {
  const std::string order_key =
      journal::DescribeKey(journal::kOrderColumnFamily, journal::SequenceKey(fields.sequence));
  if (fields.sequence == 0 || fields.sequence > ledger_.order.size()) {
    problems_.Add(kEventsColumnFamily, key, "its order entry " + order_key + " is missing");
    return;
  }
  OrderSlot& slot = ledger_.order[fields.sequence - 1];
  if (slot.damaged) return;  // reported by the order pass
  if (!slot.present) {
    problems_.Add(kEventsColumnFamily, key, "its order entry " + order_key + " is missing");
  } else if (slot.matched) {
    problems_.Add(kEventsColumnFamily, key,
                  "another event already has sequence " + std::to_string(fields.sequence));
  } else if (slot.stream != current_.index || slot.revision != revision ||
             slot.type != fields.type || slot.timestamp_us != fields.timestamp_us) {
    problems_.Add(kEventsColumnFamily, key,
                  "disagrees with its order entry " + order_key +
                      " (connection, revision, type or timestamp)");
  } else {
    slot.matched = true;
  }
}

void EventsPass::StartStream(std::string_view stream) {
  current_ = StreamCheck{};
  current_.stream.assign(stream);
  current_.index = ledger_.FindStream(stream);
  ++ledger_.connections;
  replayer_.Reset();
  DrainRows(stream);
  if (rows_->Valid() && rows_->key() == stream) LoadRow();
}

void EventsPass::LoadRow() {
  ++ledger_.state_rows;
  current_.row_present = true;
  current_.row_key.assign(rows_->key());
  Result<ConnectionState> row = DecodeStored(journal::CrcTag::kState, rows_->key(), rows_->value(), secrets_);
  if (!row.ok()) {
    problems_.Add(kStateColumnFamily, rows_->key(), row.status());
  } else if (row->id != current_.stream) {
    problems_.Add(kStateColumnFamily, rows_->key(), "holds the state of '" + row->id + "'");
  } else {
    current_.row = std::move(*row);
  }
  rows_->Next();
}

void EventsPass::CompareRow() {
  current_.row_compared = true;
  const std::string difference = Compare(*current_.row, replayer_.state());
  if (difference.empty()) return;
  problems_.Add(kStateColumnFamily, current_.row_key,
                "differs from the journal replayed to revision " +
                    std::to_string(current_.row->revision) + " in: " + difference);
}

void EventsPass::FinishStream() {
  // Historical snapshots past the connection's last event.
  DrainHistory(journal::StreamEnd(current_.stream));
  const uint64_t watermark = ledger_.watermark;
  if (current_.broken) {
    if (current_.row && !current_.row_compared) ++ledger_.snapshots_unchecked;
    return;
  }
  if (!current_.row_present) {
    if (current_.revision_at_watermark == 0) return;
    problems_.Add(kStateColumnFamily, current_.stream,
                  "missing, though the connection has events up to the watermark " +
                      std::to_string(watermark) + " (the server rebuilds such rows from the journal at its next start)");
    return;
  }
  if (!current_.row) return;  // reported when loaded
  if (!current_.row_compared) {
    problems_.Add(kStateColumnFamily, current_.row_key,
                  "holds revision " + std::to_string(current_.row->revision) +
                      ", past the connection's last revision " +
                      std::to_string(current_.revision_expected - 1));
  } else if (current_.row->revision != current_.revision_at_watermark) {
    problems_.Add(kStateColumnFamily, current_.row_key,
                  "holds revision " + std::to_string(current_.row->revision) +
                      ", but at the watermark " + std::to_string(watermark) +
                      " the connection was at revision " +
                      std::to_string(current_.revision_at_watermark));
  }
}

void EventsPass::DrainRows(std::optional<std::string_view> end) {
  for (; rows_->Valid() && (!end || rows_->key() < *end); rows_->Next()) {
    ++ledger_.state_rows;
    problems_.Add(kStateColumnFamily, rows_->key(), "a state row of a connection with no events");
  }
}

void EventsPass::DrainHistory(std::optional<std::string_view> end) {
  for (; history_->Valid() && (!end || history_->key() < *end); history_->Next()) {
    ++ledger_.historical;
    std::string_view stream;
    uint64_t revision = 0;
    const bool parsed = journal::ParseStreamKey(history_->key(), &stream, &revision);
    if (parsed && stream == current_.stream && current_.broken) {
      ++ledger_.snapshots_unchecked;
      continue;
    }
    problems_.Add(
        kHistoryColumnFamily, history_->key(),
        parsed ? "a snapshot of an event that is not in the journal" : "malformed history key");
  }
}

void EventsPass::CompareHistory(std::string_view key) {
  ++ledger_.historical;
  if (current_.broken) {
    ++ledger_.snapshots_unchecked;
  } else {
    Result<ConnectionState> stored =
        DecodeStored(journal::CrcTag::kHistory, key, history_->value(), secrets_);
    if (!stored.ok()) {
      problems_.Add(kHistoryColumnFamily, key, stored.status());
    } else if (const std::string difference = Compare(*stored, replayer_.state());
               !difference.empty()) {
      problems_.Add(kHistoryColumnFamily, key,
                    "differs from the journal replayed to its revision in: " + difference);
    }
  }
  history_->Next();
}

std::string EventsPass::Compare(const ConnectionState& stored, const ConnectionState& replayed) {
  std::string difference = Difference(stored, replayed);
  if (secrets_.can_decrypt()) return difference;
  if (stored.json == replayed.json) {
    if (crypto::SecretFields::MayHoldEncrypted(stored.json) &&
        secrets_.fields().Census(stored.json, nullptr, nullptr).encrypted > 0) {
      ++ledger_.encrypted_same_ciphertext;
    }
    return difference;
  }
  std::string stored_json = stored.json;
  std::string replayed_json = replayed.json;
  const uint32_t masked = secrets_.fields().MaskEncrypted(stored_json) + secrets_.fields().MaskEncrypted(replayed_json);
  if (masked == 0 || stored_json != replayed_json) return difference;
  ++ledger_.encrypted_not_compared;
  ConnectionState masked_stored = stored;
  masked_stored.json = replayed.json;
  return Difference(masked_stored, replayed);
}

}  // namespace

Status VerifyEvents(const storage::Store& store, const crypto::ConnectionSecrets& secrets, Ledger& ledger,
                    Problems& problems, Output& output) {
  return EventsPass(store, secrets, ledger, problems, output).Run();
}

}  // namespace connectivity::tools::verify
