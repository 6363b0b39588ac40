#include "journal/codec.h"

#include <cstdio>
#include <cstring>

#include "src/base/crc32c.h"

namespace connectivity::journal {
namespace {

void PutU16(std::string* out, uint16_t value) {
  const char bytes[2] = {static_cast<char>(value >> 8), static_cast<char>(value)};
  out->append(bytes, sizeof(bytes));
}

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

uint32_t Checksum(CrcTag tag, std::string_view key, std::string_view covered) {
  const char tag_byte = static_cast<char>(tag);
  uint32_t crc = crc32c::Extend(0, &tag_byte, 1);
  crc = crc32c::Extend(crc, key.data(), key.size());
  return crc32c::Extend(crc, covered.data(), covered.size());
}

void AppendChecksum(CrcTag tag, std::string_view key, std::string* out) {
  PutU32(out, Checksum(tag, key, *out));
}

size_t ColumnFamilyOf(CrcTag tag) {
  switch (tag) {
    case CrcTag::kRecord: return kEventsColumnFamily;
    case CrcTag::kOrder: return kOrderColumnFamily;
    case CrcTag::kState: return kStateColumnFamily;
    case CrcTag::kHistory: return kHistoryColumnFamily;
    case CrcTag::kMeta: return kMetaColumnFamily;
  }
  return kMetaColumnFamily;
}

Status Corrupt(CrcTag tag, std::string_view key, const std::string& what) {
  return Status::Corruption(DescribeKey(ColumnFamilyOf(tag), key) + ": " + what);
}

// The checks every value shares: minimum size, version, exact size, crc.
// `size_expected` is computed by the caller from the value's length field.
Status CheckValue(CrcTag tag, std::string_view key, std::string_view value, size_t size_min,
                  size_t size_expected) {
  if (value.size() < size_min) {
    return Corrupt(tag, key, "truncated value (" + std::to_string(value.size()) +
                                 " bytes, at least " + std::to_string(size_min) + " needed)");
  }
  if (static_cast<uint8_t>(value[0]) != kFormatVersion) {
    return Corrupt(tag, key,
                   "unsupported format version " + std::to_string(static_cast<uint8_t>(value[0])));
  }
  if (value.size() != size_expected) {
    return Corrupt(tag, key, "length mismatch (value has " + std::to_string(value.size()) +
                                 " bytes, its header says " + std::to_string(size_expected) + ")");
  }
  const size_t covered_size = value.size() - kCrcBytes;
  const uint32_t stored = static_cast<uint32_t>(GetBigEndian(value.data() + covered_size, 4));
  const uint32_t computed = Checksum(tag, key, value.substr(0, covered_size));
  if (stored != computed) {
    char text[64];
    std::snprintf(text, sizeof(text), "checksum mismatch (stored 0x%08x, computed 0x%08x)",
                  stored, computed);
    return Corrupt(tag, key, text);
  }
  return Status::Ok();
}

void AppendQuoted(std::string* out, std::string_view bytes) {
  out->push_back('\'');
  for (const char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\'' && c != '\\') {
      out->push_back(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out->append(escaped);
    }
  }
  out->push_back('\'');
}

}  // namespace

Status ValidateStream(std::string_view stream) {
  if (stream.empty()) return Status::InvalidArgument("the stream name is empty");
  if (stream.size() > kStreamBytesMax) {
    return Status::InvalidArgument("the stream name has " + std::to_string(stream.size()) +
                                   " bytes, at most " + std::to_string(kStreamBytesMax) +
                                   " are allowed");
  }
  if (stream.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("the stream name contains a NUL byte");
  }
  return Status::Ok();
}

void AppendStreamKey(std::string* out, std::string_view stream, uint64_t revision) {
  out->append(stream);
  out->push_back('\0');
  PutU64(out, revision);
}

std::string StreamKey(std::string_view stream, uint64_t revision) {
  std::string key;
  key.reserve(stream.size() + kEventKeySuffixBytes);
  AppendStreamKey(&key, stream, revision);
  return key;
}

bool ParseStreamKey(std::string_view key, std::string_view* stream, uint64_t* revision) {
  if (key.size() < kEventKeySuffixBytes + 1) return false;
  const size_t separator = key.size() - kEventKeySuffixBytes;
  if (key[separator] != '\0') return false;
  const std::string_view name = key.substr(0, separator);
  if (name.find('\0') != std::string_view::npos) return false;
  *stream = name;
  *revision = GetBigEndian(key.data() + separator + 1, kU64Bytes);
  return true;
}

std::string StreamBegin(std::string_view stream) {
  std::string key(stream);
  key.push_back('\0');
  return key;
}

std::string StreamEnd(std::string_view stream) {
  std::string key(stream);
  key.push_back('\x01');
  return key;
}

std::string SequenceKey(uint64_t sequence) {
  std::string key;
  key.reserve(kSequenceKeyBytes);
  PutU64(&key, sequence);
  return key;
}

bool ParseSequenceKey(std::string_view key, uint64_t* sequence) {
  if (key.size() != kSequenceKeyBytes) return false;
  *sequence = GetBigEndian(key.data(), kSequenceKeyBytes);
  return true;
}

std::string DescribeKey(size_t column_family, std::string_view key) {
  std::string text = column_family == kMetaColumnFamily
                         ? std::string("meta")
                         : std::string(kColumnFamilyNames.at(column_family));
  text.push_back('[');
  std::string_view stream;
  uint64_t number = 0;
  const bool stream_keyed =
      column_family == kEventsColumnFamily || column_family == kHistoryColumnFamily;
  if (stream_keyed && ParseStreamKey(key, &stream, &number)) {
    AppendQuoted(&text, stream);
    text += " rev " + std::to_string(number);
  } else if (column_family == kOrderColumnFamily && ParseSequenceKey(key, &number)) {
    text += "seq " + std::to_string(number);
  } else {
    AppendQuoted(&text, key);  // state and meta keys, or a malformed key
  }
  text.push_back(']');
  return text;
}

void EncodeRecord(std::string_view key, const RecordFields& fields, std::string* out) {
  out->clear();
  out->reserve(kRecordOverheadBytes + fields.payload.size());
  out->push_back(static_cast<char>(kFormatVersion));
  out->push_back(static_cast<char>(fields.type));
  PutU64(out, static_cast<uint64_t>(fields.timestamp_us));
  PutU64(out, fields.sequence);
  PutU32(out, static_cast<uint32_t>(fields.payload.size()));
  out->append(fields.payload);
  AppendChecksum(CrcTag::kRecord, key, out);
}

Status DecodeRecord(std::string_view key, std::string_view value, RecordFields* fields) {
  const size_t payload_size =
      value.size() >= kRecordHeaderBytes ? GetBigEndian(value.data() + kRecordHeaderBytes - 4, 4)
                                         : 0;
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(CrcTag::kRecord, key, value, kRecordOverheadBytes,
                                          kRecordOverheadBytes + payload_size));
  fields->type = static_cast<uint8_t>(value[1]);
  fields->timestamp_us = static_cast<int64_t>(GetBigEndian(value.data() + 2, kU64Bytes));
  fields->sequence = GetBigEndian(value.data() + 10, kU64Bytes);
  fields->payload = value.substr(kRecordHeaderBytes, payload_size);
  return Status::Ok();
}

Status DecodeEvent(std::string_view key, std::string_view value, Event* event) {
  std::string_view stream;
  uint64_t revision = 0;
  if (!ParseStreamKey(key, &stream, &revision)) {
    return Status::Corruption(DescribeKey(kEventsColumnFamily, key) + ": malformed events key");
  }
  RecordFields fields;
  CONNECTIVITY_RETURN_IF_ERROR(DecodeRecord(key, value, &fields));
  event->stream.assign(stream);
  event->revision = revision;
  event->sequence = fields.sequence;
  event->timestamp_us = fields.timestamp_us;
  event->type = fields.type;
  event->payload.assign(fields.payload);
  return Status::Ok();
}

void EncodeOrderEntry(std::string_view key, const OrderEntry& entry, std::string* out) {
  out->clear();
  out->reserve(kOrderOverheadBytes + entry.stream.size());
  out->push_back(static_cast<char>(kFormatVersion));
  out->push_back(static_cast<char>(entry.type));
  PutU64(out, static_cast<uint64_t>(entry.timestamp_us));
  PutU64(out, entry.revision);
  PutU16(out, static_cast<uint16_t>(entry.stream.size()));
  out->append(entry.stream);
  AppendChecksum(CrcTag::kOrder, key, out);
}

Status DecodeOrderEntry(std::string_view key, std::string_view value, OrderEntry* entry) {
  const size_t stream_size =
      value.size() >= kOrderHeaderBytes ? GetBigEndian(value.data() + kOrderHeaderBytes - 2, 2)
                                        : 0;
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(CrcTag::kOrder, key, value, kOrderOverheadBytes,
                                          kOrderOverheadBytes + stream_size));
  entry->type = static_cast<uint8_t>(value[1]);
  entry->timestamp_us = static_cast<int64_t>(GetBigEndian(value.data() + 2, kU64Bytes));
  entry->revision = GetBigEndian(value.data() + 10, kU64Bytes);
  entry->stream = value.substr(kOrderHeaderBytes, stream_size);
  return Status::Ok();
}

void EncodeSnapshot(CrcTag tag, std::string_view key, std::string_view blob, std::string* out) {
  out->clear();
  out->reserve(kSnapshotOverheadBytes + blob.size());
  out->push_back(static_cast<char>(kFormatVersion));
  PutU32(out, static_cast<uint32_t>(blob.size()));
  out->append(blob);
  AppendChecksum(tag, key, out);
}

Status DecodeSnapshot(CrcTag tag, std::string_view key, std::string_view value,
                      std::string_view* blob) {
  const size_t blob_size =
      value.size() >= kSnapshotHeaderBytes ? GetBigEndian(value.data() + 1, kU32Bytes) : 0;
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(tag, key, value, kSnapshotOverheadBytes,
                                          kSnapshotOverheadBytes + blob_size));
  *blob = value.substr(kSnapshotHeaderBytes, blob_size);
  return Status::Ok();
}

void EncodeMetaU64(std::string_view key, uint64_t value, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kFormatVersion));
  PutU64(out, value);
  AppendChecksum(CrcTag::kMeta, key, out);
}

Status DecodeMetaU64(std::string_view key, std::string_view value, uint64_t* result) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckValue(CrcTag::kMeta, key, value, kMetaValueBytes,
                                          kMetaValueBytes));
  *result = GetBigEndian(value.data() + 1, kU64Bytes);
  return Status::Ok();
}

bool IsMetaBlobKey(std::string_view key) {
  return key == kEncryptionMarkKey || key == kEncryptionMigrationKey;
}

void EncodeMetaBlob(std::string_view key, std::string_view blob, std::string* out) {
  // The snapshot layout under the meta tag: the key in the checksum keeps
  // the two apart.
  EncodeSnapshot(CrcTag::kMeta, key, blob, out);
}

Status DecodeMetaBlob(std::string_view key, std::string_view value, std::string_view* blob) {
  return DecodeSnapshot(CrcTag::kMeta, key, value, blob);
}

}  // namespace connectivity::journal
