// Codec: the on-disk layout of the journal. History queries, time-range reads
// and the offline replay tool (journal-replay) all depend on this grammar;
// change it only with a new format version.
//
// Every integer is fixed-width big-endian, so integer keys sort numerically
// under RocksDB's default bytewise comparator. `u8`, `u16`, `u32`, `u64` are
// unsigned; `i64` is two's complement.
//
//   stream     := 1..1024 bytes, none of them 0x00      (a connection id)
//   revision   := u64   1-based, contiguous per stream
//   sequence   := u64   1-based, contiguous across the journal
//
// Column families and keys
//   "events"   key   := stream 0x00 revision             -> record
//   "order"    key   := sequence                         -> order_entry
//   "state"    key   := stream                           -> snapshot (tag 'S')
//   "history"  key   := stream 0x00 revision             -> snapshot (tag 'H')
//   "default"  key   := "format_version"                 -> meta_u64 (= 1)
//              key   := "snapshot_watermark"             -> meta_u64 (a sequence)
//              key   := "secrets_encrypted"              -> meta_blob (optional)
//              key   := "encryption_migration"           -> meta_blob (optional)
//
//   The meta blobs belong to the layers above the journal, which define
//   their content (src/crypto/connection_secrets.h: the mark that the
//   journal holds encrypted secrets; src/service/encryption_migration.h:
//   the progress of a migration). Journals without them read as before.
//
//   Because 0x00 never occurs in a stream and sorts below every other byte,
//   all keys of stream S lie in [S 0x00, S 0x01) and come before the keys of
//   any longer stream that starts with S ("a" before "a:b" before "ab"); a
//   prefix scan reads exactly one stream, in revision order.
//
// Values
//   record      := version:u8 type:u8 timestamp_us:i64 sequence:u64
//                  payload_length:u32 payload:byte[payload_length] crc:u32
//   order_entry := version:u8 type:u8 timestamp_us:i64 revision:u64
//                  stream_length:u16 stream:byte[stream_length] crc:u32
//   snapshot    := version:u8 blob_length:u32 blob:byte[blob_length] crc:u32
//   meta_u64    := version:u8 value:u64 crc:u32
//   meta_blob   := version:u8 blob_length:u32 blob:byte[blob_length] crc:u32
//   version     := 0x01
//
//   crc := CRC-32C(tag:u8 || key || every value byte before crc)
//   tag := 'E' record | 'O' order_entry | 'S' state snapshot
//        | 'H' historical snapshot | 'M' meta_u64
//
//   The checksum covers the key, so a value copied to another key fails, and
//   the tag, so a value of one kind written where another kind belongs fails.
//   An order entry repeats (stream, revision, type, timestamp) of its record:
//   readers in global order check that both agree.
//
// Decoding checks, in this order: minimum size, version, that the declared
// length matches the value's size, then the checksum. Any failure is
// kCorruption with a message naming the key readably, e.g.
//   events['conn-1' rev 5]: checksum mismatch (stored 0x..., computed 0x...)
//
// All functions are pure and thread-safe. Decoded string_views point into
// the given key / value bytes.
#ifndef CONNECTIVITY_JOURNAL_CODEC_H_
#define CONNECTIVITY_JOURNAL_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "journal/event.h"
#include "src/base/status.h"

namespace connectivity::journal {

// --- limits and sizes ---
inline constexpr size_t kStreamBytesMax = 1024;
inline constexpr size_t kPayloadBytesMax = 16u << 20;
inline constexpr size_t kBlobBytesMax = 64u << 20;
inline constexpr uint8_t kFormatVersion = 1;

inline constexpr size_t kVersionBytes = 1;
inline constexpr size_t kTypeBytes = 1;
inline constexpr size_t kU64Bytes = 8;
inline constexpr size_t kU32Bytes = 4;
inline constexpr size_t kU16Bytes = 2;
inline constexpr size_t kCrcBytes = 4;

inline constexpr size_t kEventKeySuffixBytes = 1 + kU64Bytes;  // 0x00 revision
inline constexpr size_t kSequenceKeyBytes = kU64Bytes;
inline constexpr size_t kRecordHeaderBytes =
    kVersionBytes + kTypeBytes + kU64Bytes + kU64Bytes + kU32Bytes;
inline constexpr size_t kRecordOverheadBytes = kRecordHeaderBytes + kCrcBytes;
inline constexpr size_t kOrderHeaderBytes =
    kVersionBytes + kTypeBytes + kU64Bytes + kU64Bytes + kU16Bytes;
inline constexpr size_t kOrderOverheadBytes = kOrderHeaderBytes + kCrcBytes;
inline constexpr size_t kSnapshotHeaderBytes = kVersionBytes + kU32Bytes;
inline constexpr size_t kSnapshotOverheadBytes = kSnapshotHeaderBytes + kCrcBytes;
inline constexpr size_t kMetaValueBytes = kVersionBytes + kU64Bytes + kCrcBytes;

static_assert(kRecordHeaderBytes == 22, "record header: version type timestamp sequence length");
static_assert(kOrderHeaderBytes == 20, "order header: version type timestamp revision length");
static_assert(kSnapshotOverheadBytes == 9, "snapshot: version length crc");
static_assert(kMetaValueBytes == 13, "meta value: version u64 crc");
static_assert(kStreamBytesMax <= UINT16_MAX, "stream_length is a u16");
static_assert(kPayloadBytesMax <= UINT32_MAX && kBlobBytesMax <= UINT32_MAX, "u32 lengths");

// --- column families (indexes into the storage::Store) ---
inline constexpr size_t kMetaColumnFamily = 0;  // RocksDB's "default"
inline constexpr size_t kEventsColumnFamily = 1;
inline constexpr size_t kOrderColumnFamily = 2;
inline constexpr size_t kStateColumnFamily = 3;
inline constexpr size_t kHistoryColumnFamily = 4;
inline constexpr std::array<std::string_view, 5> kColumnFamilyNames = {
    "default", "events", "order", "state", "history"};

inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kWatermarkKey = "snapshot_watermark";
inline constexpr std::string_view kEncryptionMarkKey = "secrets_encrypted";
inline constexpr std::string_view kEncryptionMigrationKey = "encryption_migration";

// True for the meta keys that hold a meta_blob.
bool IsMetaBlobKey(std::string_view key);

// Checksum domain tags (see the grammar).
enum class CrcTag : char {
  kRecord = 'E',
  kOrder = 'O',
  kState = 'S',
  kHistory = 'H',
  kMeta = 'M',
};

// --- keys ---
// kInvalidArgument unless 1..kStreamBytesMax bytes without 0x00.
Status ValidateStream(std::string_view stream);

// Appends stream 0x00 revision (events and history keys).
void AppendStreamKey(std::string* out, std::string_view stream, uint64_t revision);
std::string StreamKey(std::string_view stream, uint64_t revision);
// Splits an events / history key; false if it is not one.
bool ParseStreamKey(std::string_view key, std::string_view* stream, uint64_t* revision);
// [StreamBegin(s), StreamEnd(s)) holds exactly the keys of stream s.
std::string StreamBegin(std::string_view stream);
std::string StreamEnd(std::string_view stream);

std::string SequenceKey(uint64_t sequence);
bool ParseSequenceKey(std::string_view key, uint64_t* sequence);

// A readable name for a key, for error messages: events['a' rev 5],
// order[seq 17], state['a'], history['a' rev 5], meta['format_version'].
// Bytes outside printable ASCII (and ' and \) are written as \xNN.
std::string DescribeKey(size_t column_family, std::string_view key);

// --- values ---
struct RecordFields {
  uint8_t type = 0;
  int64_t timestamp_us = 0;
  uint64_t sequence = 0;
  std::string_view payload;
};

// Replaces *out with the record for `key` (an events key).
void EncodeRecord(std::string_view key, const RecordFields& fields, std::string* out);
Status DecodeRecord(std::string_view key, std::string_view value, RecordFields* fields);
// Decodes a whole event (stream and revision from the key).
Status DecodeEvent(std::string_view key, std::string_view value, Event* event);

struct OrderEntry {
  uint8_t type = 0;
  int64_t timestamp_us = 0;
  uint64_t revision = 0;
  std::string_view stream;
};

void EncodeOrderEntry(std::string_view key, const OrderEntry& entry, std::string* out);
Status DecodeOrderEntry(std::string_view key, std::string_view value, OrderEntry* entry);

// State rows (CrcTag::kState, key = stream) and historical snapshots
// (CrcTag::kHistory, key = stream 0x00 revision).
void EncodeSnapshot(CrcTag tag, std::string_view key, std::string_view blob, std::string* out);
Status DecodeSnapshot(CrcTag tag, std::string_view key, std::string_view value,
                      std::string_view* blob);

void EncodeMetaU64(std::string_view key, uint64_t value, std::string* out);
Status DecodeMetaU64(std::string_view key, std::string_view value, uint64_t* result);

// REQUIRES: IsMetaBlobKey(key).
void EncodeMetaBlob(std::string_view key, std::string_view blob, std::string* out);
Status DecodeMetaBlob(std::string_view key, std::string_view value, std::string_view* blob);

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_CODEC_H_
