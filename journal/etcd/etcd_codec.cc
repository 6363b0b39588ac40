#include "journal/etcd/etcd_codec.h"

#include <cstdio>
#include <cstring>

#include "journal/codec.h"
#include "src/base/crc32c.h"

namespace connectivity::journal::etcd {
namespace {

constexpr char kRecordTag = 'e';
constexpr char kHeadTag = 'h';
constexpr char kMetaTag = 'm';
constexpr size_t kCrcBytes = 4;

void PutU32(std::string* out, uint32_t value) {
  char bytes[4];
  for (int i = 3; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value);
  out->append(bytes, sizeof(bytes));
}

void PutU64(std::string* out, uint64_t value) {
  char bytes[8];
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value);
  out->append(bytes, sizeof(bytes));
}

uint64_t GetBigEndian(const char* data, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) value = (value << 8) | static_cast<uint8_t>(data[i]);
  return value;
}

uint32_t Checksum(char tag, std::string_view key, std::string_view covered) {
  uint32_t crc = crc32c::Extend(0, &tag, 1);
  crc = crc32c::Extend(crc, key.data(), key.size());
  return crc32c::Extend(crc, covered.data(), covered.size());
}

void AppendChecksum(char tag, std::string_view key, std::string* out) {
  PutU32(out, Checksum(tag, key, *out));
}

// Minimum size, version, exact size, checksum: in this order (codec.h).
Status CheckValue(char tag, std::string_view key, std::string_view value, size_t size_min,
                  size_t size_expected) {
  const auto corrupt = [key](const std::string& what) {
    return Status::Corruption(DescribeEtcdKey(key) + ": " + what);
  };
  if (value.size() < size_min) {
    return corrupt("truncated value (" + std::to_string(value.size()) + " bytes, at least " +
                   std::to_string(size_min) + " needed)");
  }
  if (static_cast<uint8_t>(value[0]) != kEtcdFormatVersion) {
    return corrupt("unsupported format version " + std::to_string(static_cast<uint8_t>(value[0])));
  }
  if (value.size() != size_expected) {
    return corrupt("length mismatch (value has " + std::to_string(value.size()) +
                   " bytes, its header says " + std::to_string(size_expected) + ")");
  }
  const size_t covered = value.size() - kCrcBytes;
  const auto stored = static_cast<uint32_t>(GetBigEndian(value.data() + covered, 4));
  const uint32_t computed = Checksum(tag, key, value.substr(0, covered));
  if (stored != computed) {
    char text[64];
    std::snprintf(text, sizeof(text), "checksum mismatch (stored 0x%08x, computed 0x%08x)", stored,
                  computed);
    return corrupt(text);
  }
  return Status::Ok();
}

std::string Infixed(std::string_view infix) {
  std::string key(kPrefix);
  key.append(infix);
  return key;
}

// The smallest key greater than every key starting with `prefix`.
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    const auto last = static_cast<uint8_t>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // etcd: "\0" as range_end means "to the end"
}

}  // namespace

std::string FormatKey() { return Infixed(kFormatKeySuffix); }
std::string SyncMarkerKey() { return Infixed("sync"); }

std::string EventKey(std::string_view stream, uint64_t revision) {
  std::string key = Infixed(kEventsInfix);
  AppendStreamKey(&key, stream, revision);
  return key;
}

std::string HeadKey(std::string_view stream) {
  std::string key(kHeadsPrefix);
  key.append(stream);
  return key;
}

std::string EventsBegin() { return Infixed(kEventsInfix); }
std::string EventsEnd() { return PrefixSuccessor(Infixed(kEventsInfix)); }

std::string StreamEventsBegin(std::string_view stream) {
  std::string key = Infixed(kEventsInfix);
  key.append(stream);
  key.push_back('\0');
  return key;
}

std::string StreamEventsEnd(std::string_view stream) {
  std::string key = Infixed(kEventsInfix);
  key.append(stream);
  key.push_back('\x01');
  return key;
}

std::string PrefixBegin() { return std::string(kPrefix); }
std::string PrefixEnd() { return PrefixSuccessor(std::string(kPrefix)); }
std::string InfixBegin(std::string_view infix) { return Infixed(infix); }
std::string InfixEnd(std::string_view infix) { return PrefixSuccessor(Infixed(infix)); }

bool IsEventKey(std::string_view key) {
  return key.size() > kPrefix.size() + kEventsInfix.size() &&
         key.substr(0, kPrefix.size()) == kPrefix &&
         key.substr(kPrefix.size(), kEventsInfix.size()) == kEventsInfix;
}

bool ParseEventKey(std::string_view key, std::string_view* stream, uint64_t* revision) {
  if (!IsEventKey(key)) return false;
  return ParseStreamKey(key.substr(kPrefix.size() + kEventsInfix.size()), stream, revision);
}

std::string DescribeEtcdKey(std::string_view key) {
  std::string_view stream;
  uint64_t revision = 0;
  std::string text = "etcd[";
  if (ParseEventKey(key, &stream, &revision)) {
    text += DescribeKey(kEventsColumnFamily, key.substr(kPrefix.size() + kEventsInfix.size()));
    return text + "]";
  }
  if (key.substr(0, kPrefix.size()) == kPrefix) key.remove_prefix(kPrefix.size());
  if (key.substr(0, kHeadsPrefix.size()) == kHeadsPrefix) key.remove_prefix(kPrefix.size());
  text += DescribeKey(kStateColumnFamily, key);
  return text + "]";
}

void EncodeRecord(std::string_view key, const Record& record, std::string* out) {
  out->clear();
  out->reserve(kRecordOverheadBytes + record.payload.size());
  out->push_back(static_cast<char>(kEtcdFormatVersion));
  out->push_back(static_cast<char>(record.type));
  PutU64(out, static_cast<uint64_t>(record.timestamp_us));
  out->append(reinterpret_cast<const char*>(record.command_id.data()), record.command_id.size());
  PutU32(out, static_cast<uint32_t>(record.payload.size()));
  out->append(record.payload);
  AppendChecksum(kRecordTag, key, out);
}

Status DecodeRecord(std::string_view key, std::string_view value, Record* record) {
  const size_t length = value.size() >= kRecordHeaderBytes
                            ? GetBigEndian(value.data() + kRecordHeaderBytes - 4, 4)
                            : 0;
  CONNECTIVITY_RETURN_IF_ERROR(
      CheckValue(kRecordTag, key, value, kRecordOverheadBytes, kRecordOverheadBytes + length));
  record->type = static_cast<uint8_t>(value[1]);
  record->timestamp_us = static_cast<int64_t>(GetBigEndian(value.data() + 2, 8));
  std::memcpy(record->command_id.data(), value.data() + 10, kCommandIdBytes);
  record->payload = value.substr(kRecordHeaderBytes, length);
  return Status::Ok();
}

std::string EncodeHead(std::string_view key, const Head& head) {
  std::string out;
  out.reserve(kHeadBytes);
  out.push_back(static_cast<char>(kEtcdFormatVersion));
  PutU64(&out, head.revision);
  PutU64(&out, static_cast<uint64_t>(head.timestamp_us));
  AppendChecksum(kHeadTag, key, &out);
  return out;
}

Status DecodeHead(std::string_view key, std::string_view value, Head* head) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(kHeadTag, key, value, kHeadBytes, kHeadBytes));
  head->revision = GetBigEndian(value.data() + 1, 8);
  head->timestamp_us = static_cast<int64_t>(GetBigEndian(value.data() + 9, 8));
  return Status::Ok();
}

std::string EncodeMeta(std::string_view key, uint64_t value) {
  std::string out;
  out.push_back(static_cast<char>(kEtcdFormatVersion));
  PutU64(&out, value);
  AppendChecksum(kMetaTag, key, &out);
  return out;
}

Status DecodeMeta(std::string_view key, std::string_view value, uint64_t* result) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(kMetaTag, key, value, kMetaBytes, kMetaBytes));
  *result = GetBigEndian(value.data() + 1, 8);
  return Status::Ok();
}

}  // namespace connectivity::journal::etcd
