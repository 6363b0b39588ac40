// Fuzz target `journal_codec`: what start-up, recovery, history queries and journal-replay read
// from disk: the journal's keys and values (journal/codec.cc: event records, global-order
// entries, state and history snapshots, meta values) and, behind them, the projector's fold of a
// decoded event (src/projector/apply.cc, event_json.cc) and snapshot blobs
// (src/projector/snapshot_codec.cc, stored_connection.cc).
//
// Input: mode:u8 key_length:u8 key:byte[key_length] value:byte[...]
//   mode & 0x07: 0 events record, 1 order entry, 2 state snapshot, 3 history snapshot,
//                4 meta value, 5-7 key descriptions only;
//   mode & 0x08: repair the checksum first (the last 4 bytes of the value), so that the fuzzer
//                reaches the checks behind it instead of stopping at "checksum mismatch".
// Properties, beyond "corrupt bytes give a Status, never a crash":
//   - a value that decodes encodes back to the same bytes (key and fields);
//   - a decoded event folds into a state or gives kCorruption; a state it folds into survives a
//     snapshot round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "journal/codec.h"
#include "src/base/crc32c.h"
#include "src/projector/apply.h"
#include "src/projector/event_json.h"
#include "src/projector/snapshot_codec.h"
#include "src/projector/stored_connection.h"

namespace connectivity::fuzz {
namespace {

using journal::CrcTag;

// A canonical connection (model::SerializeConnection's output), the state events apply to.
constexpr std::string_view kStoredJson =
    R"({"id":"fuzz","name":null,"connectionType":"mqtt","connectionStatus":"closed",)"
    R"("uri":"tcp://127.0.0.1:1883","sources":[],"targets":[],"clientCount":1,)"
    R"("failoverEnabled":true,"validateCertificates":true,"processorPoolSize":1,"tags":["t"]})";

// The checksum as the codec computes it: CRC-32C over tag, key and the value before the crc.
void RepairChecksum(CrcTag tag, std::string_view key, std::string& value) {
  if (value.size() < journal::kCrcBytes) return;
  const size_t covered = value.size() - journal::kCrcBytes;
  const char tag_byte = static_cast<char>(tag);
  uint32_t crc = crc32c::Extend(0, &tag_byte, 1);
  crc = crc32c::Extend(crc, key.data(), key.size());
  crc = crc32c::Extend(crc, value.data(), covered);
  for (size_t i = 0; i < 4; ++i) value[covered + i] = static_cast<char>(crc >> (24 - 8 * i));
}

void ExpectCorruption(const Status& status, std::string_view where) {
  Expect(status.code() == ErrorCode::kCorruption && !status.message().empty(), where,
         status.ToString());
}

// The stored connection readers, on JSON that passes IsCanonicalConnectionJson.
void ReadStoredConnection(const projector::ConnectionState& state) {
  if (!projector::IsCanonicalConnectionJson(state.json)) return;
  projector::StoredConnectionStatus(state.json);
  projector::StoredConnectionType(state.json);
  projector::StoredTags(state.json);
  projector::StoredJsonWithHiddenFields(state);
  std::string json = state.json;
  Expect(projector::ReplaceStoredConnectionStatus(json, "open") &&
             projector::StoredConnectionStatus(json) == "open",
         "the status of a canonical connection can be replaced", state.json);
}

void FoldEvent(const journal::Event& event) {
  projector::ConnectionState state;
  state.id = event.stream;
  state.revision = event.revision - 1;
  if (event.type == static_cast<uint8_t>(projector::EventType::kCreated)) {
    state.deleted = state.revision > 0;
  } else if (state.revision > 0) {
    state.connection_revision = 1;
    state.json = kStoredJson;
  }
  const Status status = projector::Apply(state, event);
  if (!status.ok()) return ExpectCorruption(status, "Apply fails with kCorruption");
  projector::DittoEventJson(event, state);
  ReadStoredConnection(state);
  Result<projector::ConnectionState> again =
      projector::DecodeSnapshot(projector::EncodeSnapshot(state));
  Expect(again.ok() && again.value() == state, "a folded state survives a snapshot round trip",
         event.payload);
}

void FuzzEvent(std::string_view key, std::string_view value) {
  journal::RecordFields fields;
  const Status record = journal::DecodeRecord(key, value, &fields);
  journal::Event event;
  const Status decoded = journal::DecodeEvent(key, value, &event);
  if (!decoded.ok()) return ExpectCorruption(decoded, "DecodeEvent fails with kCorruption");
  Expect(record.ok(), "an event's record decodes");
  std::string encoded;
  journal::EncodeRecord(key, fields, &encoded);
  Expect(encoded == value, "a record encodes back to its bytes");
  Expect(!event.stream.empty() && event.stream.find('\0') == std::string::npos,
         "a decoded event names a non-empty stream without NUL", event.stream);
  // A state's revision is never 2^64 - 1: revision 0 has no state to fold into.
  if (event.revision > 0) FoldEvent(event);
}

void FuzzOrderEntry(std::string_view key, std::string_view value) {
  journal::OrderEntry entry;
  const Status status = journal::DecodeOrderEntry(key, value, &entry);
  if (!status.ok()) return ExpectCorruption(status, "DecodeOrderEntry fails with kCorruption");
  std::string encoded;
  journal::EncodeOrderEntry(key, entry, &encoded);
  Expect(encoded == value, "an order entry encodes back to its bytes");
}

void FuzzSnapshot(CrcTag tag, std::string_view key, std::string_view value) {
  std::string_view blob;
  const Status status = journal::DecodeSnapshot(tag, key, value, &blob);
  if (!status.ok()) return ExpectCorruption(status, "DecodeSnapshot fails with kCorruption");
  std::string encoded;
  journal::EncodeSnapshot(tag, key, blob, &encoded);
  Expect(encoded == value, "a snapshot value encodes back to its bytes");
  Result<projector::ConnectionState> state = projector::DecodeSnapshot(blob);
  if (!state.ok()) return ExpectCorruption(state.status(), "a blob that is no snapshot is kCorruption");
  ReadStoredConnection(state.value());
}

void FuzzMeta(std::string_view key, std::string_view value) {
  uint64_t number = 0;
  const Status status = journal::DecodeMetaU64(key, value, &number);
  if (!status.ok()) return ExpectCorruption(status, "DecodeMetaU64 fails with kCorruption");
  std::string encoded;
  journal::EncodeMetaU64(key, number, &encoded);
  Expect(encoded == value, "a meta value encodes back to its bytes");
}

void DescribeKeys(std::string_view key) {
  for (size_t family = 0; family < journal::kColumnFamilyNames.size(); ++family) {
    journal::DescribeKey(family, key);
  }
  std::string_view stream;
  uint64_t number = 0;
  if (journal::ParseStreamKey(key, &stream, &number)) {
    Expect(journal::StreamKey(stream, number) == key, "a stream key encodes back to its bytes");
  }
  if (journal::ParseSequenceKey(key, &number)) {
    Expect(journal::SequenceKey(number) == key, "a sequence key encodes back to its bytes");
  }
}

constexpr CrcTag kTags[] = {CrcTag::kRecord, CrcTag::kOrder, CrcTag::kState, CrcTag::kHistory,
                            CrcTag::kMeta};

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const size_t key_size = std::min<size_t>(data[1], size - 2);
  const std::string key(reinterpret_cast<const char*>(data + 2), key_size);
  std::string value(reinterpret_cast<const char*>(data + 2 + key_size), size - 2 - key_size);
  const size_t kind = mode & 0x07;
  fuzz::DescribeKeys(key);
  if (kind >= std::size(fuzz::kTags)) return 0;
  if (mode & 0x08) fuzz::RepairChecksum(fuzz::kTags[kind], key, value);
  switch (kind) {
    case 0: fuzz::FuzzEvent(key, value); break;
    case 1: fuzz::FuzzOrderEntry(key, value); break;
    case 2: fuzz::FuzzSnapshot(journal::CrcTag::kState, key, value); break;
    case 3: fuzz::FuzzSnapshot(journal::CrcTag::kHistory, key, value); break;
    case 4: fuzz::FuzzMeta(key, value); break;
  }
  return 0;
}
