// Snapshot codec: round trip of every field, refusal of damaged bytes, and
// equivalence of snapshot + tail with a full replay (the recovery promise).
#include "src/projector/snapshot_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "src/projector/apply.h"
#include "tests/projector/projector_test_util.h"

namespace connectivity::projector {
namespace {

using testing::CanonicalJson;
using testing::MakeEvent;

// A mixed history: create, modifies, opens, closes, delete, re-create.
std::vector<journal::Event> History(int length, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<journal::Event> events;
  events.push_back(MakeEvent("conn:1", 1, EventType::kCreated, 1000, CanonicalJson("conn:1", "closed")));
  bool deleted = false;
  for (int revision = 2; revision <= length; ++revision) {
    const int64_t time = 1000 + revision * 10;
    if (deleted) {
      events.push_back(MakeEvent("conn:1", revision, EventType::kCreated, time, CanonicalJson("conn:1", "open")));
      deleted = false;
      continue;
    }
    switch (random() % 5) {
      case 0: events.push_back(MakeEvent("conn:1", revision, EventType::kOpened, time)); break;
      case 1: events.push_back(MakeEvent("conn:1", revision, EventType::kClosed, time)); break;
      case 2:
        events.push_back(MakeEvent("conn:1", revision, EventType::kModified, time,
                                   CanonicalJson("conn:1", "closed", "[\"r" + std::to_string(revision) + "\"]")));
        break;
      case 3: events.push_back(MakeEvent("conn:1", revision, EventType::kDeleted, time)); deleted = true; break;
      default: events.push_back(MakeEvent("conn:1", revision, EventType::kOpened, time)); break;
    }
  }
  return events;
}

TEST(SnapshotCodecTest, RoundTripsEveryField) {
  ConnectionState state;
  for (const journal::Event& event : History(40, 7)) ASSERT_TRUE(Apply(state, event).ok());
  const Result<ConnectionState> decoded = DecodeSnapshot(EncodeSnapshot(state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state);
}

TEST(SnapshotCodecTest, SnapshotPlusTailEqualsFullReplay) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<journal::Event> events = History(60, seed);
    ConnectionState full;
    for (const journal::Event& event : events) ASSERT_TRUE(Apply(full, event).ok());
    for (size_t cut = 1; cut < events.size(); cut += 7) {
      ConnectionState prefix;
      for (size_t i = 0; i < cut; ++i) ASSERT_TRUE(Apply(prefix, events[i]).ok());
      Result<ConnectionState> resumed = DecodeSnapshot(EncodeSnapshot(prefix));
      ASSERT_TRUE(resumed.ok());
      for (size_t i = cut; i < events.size(); ++i) ASSERT_TRUE(Apply(*resumed, events[i]).ok());
      EXPECT_EQ(*resumed, full) << "seed " << seed << " cut " << cut;
    }
  }
}

TEST(SnapshotCodecTest, RefusesTruncation) {
  ConnectionState state;
  ASSERT_TRUE(Apply(state, MakeEvent("c", 1, EventType::kCreated, 5, CanonicalJson("c", "open"))).ok());
  const std::string bytes = EncodeSnapshot(state);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_TRUE(DecodeSnapshot(bytes.substr(0, size)).status().IsCorruption()) << size;
  }
}

TEST(SnapshotCodecTest, RefusesTrailingBytesAndUnknownVersion) {
  ConnectionState state;
  ASSERT_TRUE(Apply(state, MakeEvent("c", 1, EventType::kCreated, 5, CanonicalJson("c", "open"))).ok());
  std::string bytes = EncodeSnapshot(state);
  EXPECT_TRUE(DecodeSnapshot(bytes + "x").status().IsCorruption());
  bytes[0] = 9;
  EXPECT_TRUE(DecodeSnapshot(bytes).status().IsCorruption());
}

}  // namespace
}  // namespace connectivity::projector
