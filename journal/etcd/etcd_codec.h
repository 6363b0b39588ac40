// EtcdCodec: the layout of the journal in etcd (cluster mode, SPEC §8).
// Instances of one cluster, the replay tool and `import` all depend on this
// grammar; change it only with a new format version.
//
// Integers are fixed-width big-endian (as in journal/codec.h); `stream`,
// `revision` and `payload` are the journal's own (codec.h).
//
// Keys (under the prefix "connectivity/", which every instance watches, but
// for the heads)
//   prefix "format"                       -> meta_u64 (the format version, 1)
//   prefix "e/" stream 0x00 revision      -> record   one key per event, written once
//   "connectivity-heads/" stream          -> head     one key per stream, rewritten by every append;
//                                            outside the watched prefix (it would double the watch
//                                            traffic), and a head's revision is its event's
//   prefix "sync"                         -> anything: rewritten to learn, through a watch, that
//                                            everything before it was delivered
//   prefix "m/" ...                       -> src/cluster's keys (members, leased); the journal
//                                            watches the whole prefix and skips them
//
//   As in the RocksDB journal, 0x00 never occurs in a stream, so the events
//   of stream S are exactly [e/ S 0x00, e/ S 0x01), in revision order.
//
// Values
//   record   := version:u8 type:u8 timestamp_us:i64 command_id:byte[16]
//               payload_length:u32 payload:byte[payload_length] crc:u32
//   head     := version:u8 revision:u64 timestamp_us:i64 crc:u32
//   meta_u64 := version:u8 value:u64 crc:u32
//   version  := 0x01
//   crc      := CRC-32C(tag:u8 || key || every value byte before crc),
//               tag 'e' record | 'h' head | 'm' meta_u64
//
// What etcd adds
//   * Global order: an event's etcd mod_revision (the revision of the
//     transaction that wrote it; its head has the same one). The journal's
//     `sequence` is the event's rank in that order (1 for the event with the
//     smallest mod_revision, ...): contiguous, and the same on every
//     instance, since event keys are never overwritten or deleted.
//   * An append is one transaction: compare the head's mod_revision with the
//     one the stream had at the expected revision (create_revision == 0 for
//     a new stream), then put the record and the head. On failure it reads
//     the head and the event at revision + 1, so a retried append finds its
//     own command id there (answered once, applied once).
//   * Timestamps are stamped by the appending instance, strictly increasing
//     per stream: max(now, the stream's previous timestamp + 1).
//
// All functions are pure and thread-safe.
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_CODEC_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace connectivity::journal::etcd {

inline constexpr std::string_view kPrefix = "connectivity/";
inline constexpr std::string_view kFormatKeySuffix = "format";
inline constexpr std::string_view kEventsInfix = "e/";
inline constexpr std::string_view kHeadsPrefix = "connectivity-heads/";
inline constexpr std::string_view kMembersInfix = "m/";
inline constexpr uint8_t kEtcdFormatVersion = 1;

inline constexpr size_t kCommandIdBytes = 16;
using CommandId = std::array<uint8_t, kCommandIdBytes>;

inline constexpr size_t kRecordHeaderBytes = 1 + 1 + 8 + kCommandIdBytes + 4;
inline constexpr size_t kRecordOverheadBytes = kRecordHeaderBytes + 4;
inline constexpr size_t kHeadBytes = 1 + 8 + 8 + 4;
inline constexpr size_t kMetaBytes = 1 + 8 + 4;
static_assert(kRecordHeaderBytes == 30, "record header: version type timestamp command length");
static_assert(kHeadBytes == 21, "head: version revision timestamp crc");

// --- keys ---
std::string FormatKey();
std::string SyncMarkerKey();
std::string EventKey(std::string_view stream, uint64_t revision);
std::string HeadKey(std::string_view stream);
// [EventsBegin(), EventsEnd()): every event key.
std::string EventsBegin();
std::string EventsEnd();
// [StreamEventsBegin(s), StreamEventsEnd(s)): the events of stream s.
std::string StreamEventsBegin(std::string_view stream);
std::string StreamEventsEnd(std::string_view stream);
// [PrefixBegin(), PrefixEnd()): everything of the journal and the cluster.
std::string PrefixBegin();
std::string PrefixEnd();
// The key range of everything under prefix + infix (e.g. kMembersInfix).
std::string InfixBegin(std::string_view infix);
std::string InfixEnd(std::string_view infix);

bool IsEventKey(std::string_view key);
// Splits an event key; false if it is not one.
bool ParseEventKey(std::string_view key, std::string_view* stream, uint64_t* revision);
// A readable name for error messages: etcd['e/conn-1' rev 5], etcd['h/conn-1'].
std::string DescribeEtcdKey(std::string_view key);

// --- values ---
struct Record {
  uint8_t type = 0;
  int64_t timestamp_us = 0;
  CommandId command_id{};
  std::string_view payload;
};
void EncodeRecord(std::string_view key, const Record& record, std::string* out);
Status DecodeRecord(std::string_view key, std::string_view value, Record* record);

struct Head {
  uint64_t revision = 0;
  int64_t timestamp_us = 0;
};
std::string EncodeHead(std::string_view key, const Head& head);
Status DecodeHead(std::string_view key, std::string_view value, Head* head);

std::string EncodeMeta(std::string_view key, uint64_t value);
Status DecodeMeta(std::string_view key, std::string_view value, uint64_t* result);

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_CODEC_H_
