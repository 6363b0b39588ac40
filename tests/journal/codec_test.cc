// Goal: the journal's on-disk codec (journal/codec.h) round-trips every
// field, its keys sort as the readers assume (revisions numerically, one
// stream's keys never interleaved with another's), and every kind of damage
// to a value is reported as kCorruption naming the key readably, one damage
// per test. Pure functions: no database.
#include "journal/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/storage/test_util.h"

namespace connectivity::journal {
namespace {

const std::string kPayload("{\"id\":\"conn-1\",\"bytes\":\"\0\x01\xff\"}", 29);

std::string GoodRecord(const std::string& key) {
  std::string value;
  EncodeRecord(key, RecordFields{7, 1'764'158'400'123'456, 42, kPayload}, &value);
  return value;
}

void ExpectCorruptionNaming(const Status& status, const std::string& key_text) {
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find(key_text), std::string::npos) << status.message();
}

TEST(CodecTest, RecordRoundTripKeepsEveryField) {
  const std::string key = StreamKey("conn-1", 5);
  std::string value;
  EncodeRecord(key, RecordFields{200, -12345, std::numeric_limits<uint64_t>::max() - 1, kPayload},
               &value);
  EXPECT_EQ(value.size(), kRecordOverheadBytes + kPayload.size());
  Event event;
  ASSERT_OK(DecodeEvent(key, value, &event));
  EXPECT_EQ(event.stream, "conn-1");
  EXPECT_EQ(event.revision, 5u);
  EXPECT_EQ(event.type, 200);
  EXPECT_EQ(event.timestamp_us, -12345);
  EXPECT_EQ(event.sequence, std::numeric_limits<uint64_t>::max() - 1);
  EXPECT_EQ(event.payload, kPayload);
}

TEST(CodecTest, RecordWithEmptyPayloadRoundTrips) {
  const std::string key = StreamKey("s", 1);
  std::string value;
  EncodeRecord(key, RecordFields{1, 10, 1, ""}, &value);
  RecordFields fields;
  ASSERT_OK(DecodeRecord(key, value, &fields));
  EXPECT_TRUE(fields.payload.empty());
  EXPECT_EQ(fields.sequence, 1u);
}

TEST(CodecTest, OrderEntryRoundTripKeepsEveryField) {
  const std::string key = SequenceKey(99);
  std::string value;
  EncodeOrderEntry(key, OrderEntry{3, 1'000'000, 17, "conn-9"}, &value);
  OrderEntry entry;
  ASSERT_OK(DecodeOrderEntry(key, value, &entry));
  EXPECT_EQ(entry.type, 3);
  EXPECT_EQ(entry.timestamp_us, 1'000'000);
  EXPECT_EQ(entry.revision, 17u);
  EXPECT_EQ(entry.stream, "conn-9");
}

TEST(CodecTest, SnapshotAndMetaRoundTrip) {
  std::string value;
  EncodeSnapshot(CrcTag::kState, "conn-1", "blob bytes", &value);
  std::string_view blob;
  ASSERT_OK(DecodeSnapshot(CrcTag::kState, "conn-1", value, &blob));
  EXPECT_EQ(blob, "blob bytes");
  EncodeMetaU64(kWatermarkKey, 123456789, &value);
  uint64_t watermark = 0;
  ASSERT_OK(DecodeMetaU64(kWatermarkKey, value, &watermark));
  EXPECT_EQ(watermark, 123456789u);
}

TEST(CodecTest, StreamKeyRoundTripsAndRejectsMalformedKeys) {
  std::string_view stream;
  uint64_t revision = 0;
  const std::string key = StreamKey("a:b", 258);  // `stream` points into it
  ASSERT_TRUE(ParseStreamKey(key, &stream, &revision));
  EXPECT_EQ(stream, "a:b");
  EXPECT_EQ(revision, 258u);
  EXPECT_FALSE(ParseStreamKey("short", &stream, &revision));
  EXPECT_FALSE(ParseStreamKey(std::string(12, 'x'), &stream, &revision));  // no separator
  EXPECT_FALSE(ParseStreamKey(StreamKey("", 1), &stream, &revision));      // empty stream
}

TEST(CodecTest, RevisionsSortNumerically) {
  const std::vector<uint64_t> revisions = {1, 2, 255, 256, 65535, 65536, uint64_t{1} << 40,
                                           std::numeric_limits<uint64_t>::max()};
  std::vector<std::string> keys;
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) keys.push_back(StreamKey("s", *it));
  std::sort(keys.begin(), keys.end());  // bytewise, as RocksDB's default comparator
  for (size_t i = 0; i < revisions.size(); ++i) {
    std::string_view stream;
    uint64_t revision = 0;
    ASSERT_TRUE(ParseStreamKey(keys[i], &stream, &revision));
    EXPECT_EQ(revision, revisions[i]);
  }
}

TEST(CodecTest, SequenceKeysSortNumerically) {
  EXPECT_LT(SequenceKey(255), SequenceKey(256));
  EXPECT_LT(SequenceKey(65535), SequenceKey(65536));
  EXPECT_LT(SequenceKey(1), SequenceKey(uint64_t{1} << 56));
}

// "a", "a:b", "ab" and "a\x01" share prefixes; with revisions whose bytes
// are large (0xff..) each stream's keys must still form one run, inside
// [StreamBegin, StreamEnd) of that stream and of no other.
TEST(CodecTest, StreamsWithSharedPrefixesDoNotInterleave) {
  const std::vector<std::string> streams = {"a", "a:b", "ab", std::string("a\x01", 2), "b"};
  std::vector<std::string> keys;
  for (const std::string& stream : streams) {
    for (uint64_t revision : {uint64_t{1}, uint64_t{0xffff}, std::numeric_limits<uint64_t>::max()}) {
      keys.push_back(StreamKey(stream, revision));
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> runs;
  for (const std::string& key : keys) {
    std::string_view stream;
    uint64_t revision = 0;
    ASSERT_TRUE(ParseStreamKey(key, &stream, &revision));
    if (runs.empty() || runs.back() != stream) runs.emplace_back(stream);
    for (const std::string& other : streams) {
      const bool inside = key >= StreamBegin(other) && key < StreamEnd(other);
      EXPECT_EQ(inside, other == stream) << DescribeKey(kEventsColumnFamily, key) << " vs " << other;
    }
  }
  EXPECT_EQ(runs.size(), streams.size()) << "a stream's keys were split into several runs";
}

TEST(CodecTest, StreamValidation) {
  EXPECT_OK(ValidateStream("conn-1"));
  EXPECT_OK(ValidateStream(std::string(kStreamBytesMax, 'x')));
  EXPECT_EQ(ValidateStream("").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateStream(std::string(kStreamBytesMax + 1, 'x')).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateStream(std::string("a\0b", 3)).code(), ErrorCode::kInvalidArgument);
}

TEST(CodecTest, FlippedPayloadByteIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  std::string value = GoodRecord(key);
  value[kRecordHeaderBytes + 3] ^= 0x01;
  RecordFields fields;
  ExpectCorruptionNaming(DecodeRecord(key, value, &fields), "events['conn-1' rev 5]");
}

TEST(CodecTest, FlippedChecksumIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  std::string value = GoodRecord(key);
  value.back() ^= 0x40;
  RecordFields fields;
  const Status status = DecodeRecord(key, value, &fields);
  ExpectCorruptionNaming(status, "events['conn-1' rev 5]");
  EXPECT_NE(status.message().find("checksum mismatch"), std::string::npos);
}

TEST(CodecTest, TruncatedRecordIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  const std::string value = GoodRecord(key);
  RecordFields fields;
  for (size_t size : {size_t{0}, size_t{5}, kRecordOverheadBytes - 1, value.size() - 1}) {
    ExpectCorruptionNaming(DecodeRecord(key, value.substr(0, size), &fields),
                           "events['conn-1' rev 5]");
  }
}

TEST(CodecTest, RecordWithExtraBytesIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  RecordFields fields;
  ExpectCorruptionNaming(DecodeRecord(key, GoodRecord(key) + "x", &fields), "length mismatch");
}

TEST(CodecTest, WrongVersionIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  std::string value = GoodRecord(key);
  value[0] = 2;
  RecordFields fields;
  ExpectCorruptionNaming(DecodeRecord(key, value, &fields), "unsupported format version 2");
}

TEST(CodecTest, RecordMovedToAnotherKeyIsCorruption) {
  const std::string value = GoodRecord(StreamKey("conn-1", 5));
  RecordFields fields;
  ExpectCorruptionNaming(DecodeRecord(StreamKey("conn-1", 6), value, &fields),
                         "events['conn-1' rev 6]: checksum mismatch");
  ExpectCorruptionNaming(DecodeRecord(StreamKey("conn-2", 5), value, &fields),
                         "events['conn-2' rev 5]: checksum mismatch");
}

TEST(CodecTest, SnapshotOfOneKindReadAsAnotherIsCorruption) {
  const std::string key = StreamKey("conn-1", 5);
  std::string value;
  EncodeSnapshot(CrcTag::kHistory, key, "blob", &value);
  std::string_view blob;
  EXPECT_EQ(DecodeSnapshot(CrcTag::kState, key, value, &blob).code(), ErrorCode::kCorruption);
  EXPECT_OK(DecodeSnapshot(CrcTag::kHistory, key, value, &blob));
}

TEST(CodecTest, FlippedSnapshotByteIsCorruption) {
  std::string value;
  EncodeSnapshot(CrcTag::kState, "conn-1", "blob", &value);
  value[kSnapshotHeaderBytes] ^= 0x20;
  std::string_view blob;
  ExpectCorruptionNaming(DecodeSnapshot(CrcTag::kState, "conn-1", value, &blob),
                         "state['conn-1']");
}

TEST(CodecTest, DescribeKeyEscapesUnprintableBytes) {
  EXPECT_EQ(DescribeKey(kEventsColumnFamily, StreamKey(std::string("a'\x01", 3), 7)),
            "events['a\\x27\\x01' rev 7]");
  EXPECT_EQ(DescribeKey(kOrderColumnFamily, SequenceKey(17)), "order[seq 17]");
  EXPECT_EQ(DescribeKey(kMetaColumnFamily, kWatermarkKey), "meta['snapshot_watermark']");
}

}  // namespace
}  // namespace connectivity::journal
