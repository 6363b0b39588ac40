// journal-replay verify: the command, the meta and order passes, the
// unmatched-order pass and the report (see verify.h for the passes).
#include "src/tools/verify.h"

#include <limits>
#include <memory>

#include "journal/codec.h"
#include "src/base/json_writer.h"
#include "src/tools/commands.h"
#include "src/tools/open.h"

namespace connectivity::tools {
namespace verify {

void Problems::Add(std::string key, std::string message) {
  ++count_;
  if (listed_.size() >= kProblemsListedMax) return;
  if (!json_) out_ << "PROBLEM " << key << ": " << message << "\n";
  listed_.push_back({std::move(key), std::move(message)});
}

void Problems::Add(size_t column_family, std::string_view raw_key, const Status& status) {
  std::string key = journal::DescribeKey(column_family, raw_key);
  std::string_view message = status.message();
  if (message.starts_with(key) && message.substr(key.size()).starts_with(": ")) {
    message.remove_prefix(key.size() + 2);
  }
  Add(std::move(key), std::string(message));
}

void Problems::Add(size_t column_family, std::string_view raw_key, std::string message) {
  Add(journal::DescribeKey(column_family, raw_key), std::move(message));
}

uint32_t Ledger::InternStream(std::string_view stream) {
  const auto found = stream_indexes.find(stream);
  if (found != stream_indexes.end()) return found->second;
  const auto index = static_cast<uint32_t>(stream_names.size());
  stream_names.emplace_back(stream);
  stream_indexes.emplace(stream_names.back(), index);
  return index;
}

uint32_t Ledger::FindStream(std::string_view stream) const {
  const auto found = stream_indexes.find(stream);
  return found == stream_indexes.end() ? std::numeric_limits<uint32_t>::max() : found->second;
}

}  // namespace verify

namespace {

using verify::Ledger;
using verify::Problems;

storage::ScanOptions FullScan() {
  storage::ScanOptions scan;
  scan.full_scan = true;
  return scan;
}

// Pass 1. Returns whether the format version key was there.
Result<bool> VerifyMeta(const storage::Store& store, Ledger& ledger, Problems& problems) {
  const std::unique_ptr<storage::Iterator> it =
      store.NewIterator(journal::kMetaColumnFamily, FullScan());
  bool format_seen = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t value = 0;
    const std::string_view key = it->key();
    if (journal::IsMetaBlobKey(key)) {
      std::string_view blob;
      if (Status decoded = journal::DecodeMetaBlob(key, it->value(), &blob); !decoded.ok()) {
        problems.Add(journal::kMetaColumnFamily, key, decoded);
      }
      continue;
    }
    if (key != journal::kFormatVersionKey && key != journal::kWatermarkKey) {
      problems.Add(journal::kMetaColumnFamily, key, "a key the journal never writes");
      continue;
    }
    const Status decoded = journal::DecodeMetaU64(key, it->value(), &value);
    if (!decoded.ok()) {
      problems.Add(journal::kMetaColumnFamily, key, decoded);
    } else if (key == journal::kWatermarkKey) {
      ledger.watermark = value;
    } else if (value != journal::kFormatVersion) {
      problems.Add(journal::kMetaColumnFamily, key,
                   "format version " + std::to_string(value) + ", this build reads " +
                       std::to_string(journal::kFormatVersion));
    }
    format_seen = format_seen || key == journal::kFormatVersionKey;
  }
  CONNECTIVITY_RETURN_IF_ERROR(it->status());
  return format_seen;
}

// Pass 2, for one decodable key: fills its slot.
void VerifyOrderEntry(std::string_view key, std::string_view value, uint64_t sequence,
                      int64_t& timestamp_us_last, Ledger& ledger, Problems& problems) {
  verify::OrderSlot& slot = ledger.order[sequence - 1];
  journal::OrderEntry entry;
  const Status decoded = journal::DecodeOrderEntry(key, value, &entry);
  if (!decoded.ok()) {
    problems.Add(journal::kOrderColumnFamily, key, decoded);
    slot.damaged = true;
    return;
  }
  slot.present = true;
  slot.revision = entry.revision;
  slot.timestamp_us = entry.timestamp_us;
  slot.type = entry.type;
  slot.stream = ledger.InternStream(entry.stream);
  if (entry.timestamp_us <= timestamp_us_last) {
    problems.Add(journal::kOrderColumnFamily, key,
                 "timestamp " + std::to_string(entry.timestamp_us) +
                     " µs is not after the previous entry's " + std::to_string(timestamp_us_last) +
                     " µs");
  }
  timestamp_us_last = entry.timestamp_us;
}

// Pass 2.
Status VerifyOrder(const storage::Store& store, Ledger& ledger, Problems& problems,
                   Output& output) {
  const std::unique_ptr<storage::Iterator> it =
      store.NewIterator(journal::kOrderColumnFamily, FullScan());
  Progress progress(output, "verify (order)", 0);
  int64_t timestamp_us_last = std::numeric_limits<int64_t>::min();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!progress.Tick()) return InterruptedStatus();
    uint64_t sequence = 0;
    if (!journal::ParseSequenceKey(it->key(), &sequence) || sequence == 0) {
      problems.Add(journal::kOrderColumnFamily, it->key(), "malformed order key");
      continue;
    }
    const uint64_t expected = ledger.order.size() + 1;
    if (sequence - expected > verify::kSequenceJumpMax) {
      problems.Add(journal::kOrderColumnFamily, it->key(),
                   "implausible sequence after " + std::to_string(expected - 1) +
                       "; later order entries were not checked");
      break;
    }
    if (sequence > expected) {
      problems.Add(
          journal::kOrderColumnFamily, journal::SequenceKey(expected),
          "missing: a gap in the global order up to sequence " + std::to_string(sequence - 1));
    }
    ledger.order.resize(sequence);
    VerifyOrderEntry(it->key(), it->value(), sequence, timestamp_us_last, ledger, problems);
  }
  CONNECTIVITY_RETURN_IF_ERROR(it->status());
  ledger.last_sequence = ledger.order.size();
  return Status::Ok();
}

// Pass 4: order entries that no record claimed.
void VerifyOrderMatched(const Ledger& ledger, Problems& problems) {
  for (size_t index = 0; index < ledger.order.size(); ++index) {
    const verify::OrderSlot& slot = ledger.order[index];
    if (!slot.present || slot.matched) continue;
    if (ledger.damaged_records.contains({slot.stream, slot.revision})) continue;
    problems.Add(journal::kOrderColumnFamily, journal::SequenceKey(index + 1),
                 "its event " +
                     journal::DescribeKey(
                         journal::kEventsColumnFamily,
                         journal::StreamKey(ledger.stream_names[slot.stream], slot.revision)) +
                     " is missing or does not match it");
  }
}

void PrintReport(const Ledger& ledger, const Problems& problems, bool json, std::ostream& out) {
  if (!json) {
    if (problems.count() > problems.listed().size()) {
      out << "... and " << GroupDigits(problems.count() - problems.listed().size())
          << " more problems\n";
    }
    out << "verify: " << GroupDigits(ledger.events) << " events of "
        << GroupDigits(ledger.connections) << " connections, " << GroupDigits(ledger.state_rows)
        << " state rows (watermark " << ledger.watermark << "), " << GroupDigits(ledger.historical)
        << " historical snapshots";
    if (ledger.snapshots_unchecked > 0) {
      out << " (" << GroupDigits(ledger.snapshots_unchecked) << " not comparable)";
    }
    out << ": " << (problems.count() == 0 ? "no" : GroupDigits(problems.count()))
        << (problems.count() == 1 ? " problem\n" : " problems\n");
    if (ledger.encrypted_not_compared + ledger.encrypted_same_ciphertext > 0) {
      out << "encrypted values: no key (set " << crypto::kEncryptionKeyVariable
          << " to compare them decrypted): not compared in " << GroupDigits(ledger.encrypted_not_compared)
          << " snapshots (their ciphertext differs from the journal's by nonce), the same ciphertext as "
             "the journal in "
          << GroupDigits(ledger.encrypted_same_ciphertext) << "; everything else was compared\n";
    } else if (ledger.decrypted) {
      out << "encrypted values: compared decrypted\n";
    }
    return;
  }
  std::string text;
  JsonWriter w(text);
  w.BeginObject().MemberBool("ok", problems.count() == 0);
  w.Key("events").Uint(ledger.events).Key("connections").Uint(ledger.connections);
  w.Key("stateRows").Uint(ledger.state_rows).Key("watermark").Uint(ledger.watermark);
  w.Key("historical").Uint(ledger.historical);
  w.Key("snapshotsUnchecked").Uint(ledger.snapshots_unchecked);
  w.Member("encryptedValues", ledger.decrypted                       ? "decrypted"
                              : ledger.encrypted_not_compared > 0     ? "skipped"
                              : ledger.encrypted_same_ciphertext > 0  ? "same-ciphertext"
                                                                      : "none");
  w.Key("encryptedNotCompared").Uint(ledger.encrypted_not_compared);
  w.Key("encryptedSameCiphertext").Uint(ledger.encrypted_same_ciphertext);
  w.Key("problemCount").Uint(problems.count()).Key("problems").BeginArray();
  for (const verify::Problem& problem : problems.listed()) {
    w.BeginObject().Member("key", problem.key).Member("message", problem.message).EndObject();
  }
  w.EndArray().EndObject();
  out << text << "\n";
}

Status VerifyAll(const storage::Store& store, const crypto::ConnectionSecrets& secrets, Ledger& ledger,
                 Problems& problems, Output& output) {
  Result<bool> format_seen = VerifyMeta(store, ledger, problems);
  if (!format_seen.ok()) return format_seen.status();
  CONNECTIVITY_RETURN_IF_ERROR(VerifyOrder(store, ledger, problems, output));
  if (!*format_seen && ledger.last_sequence > 0) {
    problems.Add(journal::kMetaColumnFamily, journal::kFormatVersionKey,
                 "missing, but the journal holds events");
  }
  if (ledger.watermark > ledger.last_sequence) {
    problems.Add(journal::kMetaColumnFamily, journal::kWatermarkKey,
                 "watermark " + std::to_string(ledger.watermark) +
                     " is past the journal's last sequence " +
                     std::to_string(ledger.last_sequence));
  }
  CONNECTIVITY_RETURN_IF_ERROR(verify::VerifyEvents(store, secrets, ledger, problems, output));
  VerifyOrderMatched(ledger, problems);
  return Status::Ok();
}

}  // namespace

ExitCode RunVerify(const Invocation& invocation, Output& output) {
  Result<std::unique_ptr<OpenedStore>> opened = OpenStoreForReading(invocation.data_dir);
  if (!opened.ok()) return FailOpen(output, invocation.data_dir, opened.status());
  Problems problems(output.out, invocation.json);
  Ledger ledger;
  const Status status = VerifyAll(*(*opened)->store, SecretsOf(invocation), ledger, problems, output);
  if (!status.ok() && Interrupted()) return FailStatus(output, status);
  if (!status.ok()) {
    // The data could not be read to the end (an I/O error, or RocksDB's own
    // block checksum): that is a problem too, and the report is partial.
    problems.Add("(storage)", status.message());
  }
  PrintReport(ledger, problems, invocation.json, output.out);
  output.out.flush();
  return problems.count() == 0 ? ExitCode::kOk : ExitCode::kProblems;
}

}  // namespace connectivity::tools
