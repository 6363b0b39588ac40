// Apply: each event type's effect on the state (REF §6.1, §6.2, SPEC §4.3),
// and every transition the journal must never contain is refused as
// corruption without changing the state.
#include "src/projector/apply.h"

#include <gtest/gtest.h>

#include "src/projector/stored_connection.h"
#include "tests/projector/projector_test_util.h"

namespace connectivity::projector {
namespace {

using testing::CanonicalJson;
using testing::MakeEvent;

ConnectionState Fold(const std::vector<journal::Event>& events) {
  ConnectionState state;
  for (const journal::Event& event : events) {
    const Status status = Apply(state, event);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return state;
}

TEST(ApplyTest, CreatedSetsEverything) {
  const ConnectionState state =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed"))});
  EXPECT_EQ(state.id, "c1");
  EXPECT_EQ(state.revision, 1u);
  EXPECT_EQ(state.connection_revision, 1u);
  EXPECT_EQ(state.created_us, 1000);
  EXPECT_EQ(state.modified_us, 1000);
  EXPECT_FALSE(state.deleted);
  EXPECT_TRUE(state.exists());
  EXPECT_EQ(state.json, CanonicalJson("c1", "closed"));
  EXPECT_EQ(state.stats[EventTypeIndex(EventType::kCreated)].total, 1u);
  EXPECT_EQ(state.stats[EventTypeIndex(EventType::kCreated)].last_us, 1000);
}

TEST(ApplyTest, ModifiedKeepsCreatedAndMovesRevision) {
  const ConnectionState state =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed")),
            MakeEvent("c1", 2, EventType::kModified, 2000, CanonicalJson("c1", "open", "[\"t\"]"))});
  EXPECT_EQ(state.created_us, 1000);
  EXPECT_EQ(state.modified_us, 2000);
  EXPECT_EQ(state.connection_revision, 2u);
  EXPECT_EQ(StoredTags(state.json), std::vector<std::string>{"t"});
}

TEST(ApplyTest, OpenAndCloseChangeOnlyStatusAndRevision) {
  const ConnectionState state =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed")),
            MakeEvent("c1", 2, EventType::kOpened, 2000)});
  EXPECT_EQ(StoredConnectionStatus(state.json), "open");
  EXPECT_EQ(state.revision, 2u);
  EXPECT_EQ(state.connection_revision, 1u);  // _revision unchanged by open
  EXPECT_EQ(state.modified_us, 1000);        // _modified unchanged by open
  ConnectionState closed = state;
  ASSERT_TRUE(Apply(closed, MakeEvent("c1", 3, EventType::kClosed, 3000)).ok());
  EXPECT_EQ(StoredConnectionStatus(closed.json), "closed");
  EXPECT_EQ(closed.stats[EventTypeIndex(EventType::kClosed)].total, 1u);
}

TEST(ApplyTest, DeleteThenRecreateContinuesRevisions) {
  ConnectionState state =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed")),
            MakeEvent("c1", 2, EventType::kDeleted, 2000)});
  EXPECT_TRUE(state.deleted);
  EXPECT_FALSE(state.exists());
  EXPECT_EQ(state.modified_us, 2000);
  ASSERT_TRUE(Apply(state, MakeEvent("c1", 3, EventType::kCreated, 3000, CanonicalJson("c1", "open"))).ok());
  EXPECT_TRUE(state.exists());
  EXPECT_EQ(state.revision, 3u);
  EXPECT_EQ(state.connection_revision, 3u);
  EXPECT_EQ(state.created_us, 3000);
  EXPECT_EQ(state.stats[EventTypeIndex(EventType::kCreated)].total, 2u);
}

class ApplyRefusesTest : public ::testing::Test {
 protected:
  void ExpectRefused(const journal::Event& event) {
    const ConnectionState before = state_;
    const Status status = Apply(state_, event);
    EXPECT_TRUE(status.IsCorruption()) << status.ToString();
    EXPECT_NE(status.message().find("'" + event.stream + "' revision " + std::to_string(event.revision)), std::string::npos)
        << status.message();
    EXPECT_EQ(state_, before);
  }
  ConnectionState state_ =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed"))});
};

TEST_F(ApplyRefusesTest, RevisionGap) { ExpectRefused(MakeEvent("c1", 3, EventType::kOpened, 2000)); }
TEST_F(ApplyRefusesTest, RepeatedRevision) { ExpectRefused(MakeEvent("c1", 1, EventType::kOpened, 2000)); }
TEST_F(ApplyRefusesTest, CreateOnExisting) {
  ExpectRefused(MakeEvent("c1", 2, EventType::kCreated, 2000, CanonicalJson("c1", "closed")));
}
TEST_F(ApplyRefusesTest, UnknownType) {
  journal::Event event = MakeEvent("c1", 2, EventType::kOpened, 2000);
  event.type = 9;
  ExpectRefused(event);
}
TEST_F(ApplyRefusesTest, ModifyWithNonCanonicalPayload) {
  ExpectRefused(MakeEvent("c1", 2, EventType::kModified, 2000, "{\"connectionType\":\"mqtt\"}"));
}
TEST_F(ApplyRefusesTest, OpenWithPayload) { ExpectRefused(MakeEvent("c1", 2, EventType::kOpened, 2000, "x")); }
TEST_F(ApplyRefusesTest, EventOfAnotherStream) {
  ExpectRefused(MakeEvent("c2", 2, EventType::kOpened, 2000));
}

TEST(ApplyTest, EventsOnDeletedConnectionAreRefused) {
  ConnectionState state =
      Fold({MakeEvent("c1", 1, EventType::kCreated, 1000, CanonicalJson("c1", "closed")),
            MakeEvent("c1", 2, EventType::kDeleted, 2000)});
  for (EventType type : {EventType::kModified, EventType::kOpened, EventType::kClosed, EventType::kDeleted}) {
    const std::string payload = type == EventType::kModified ? CanonicalJson("c1", "closed") : "";
    EXPECT_TRUE(Apply(state, MakeEvent("c1", 3, type, 3000, payload)).IsCorruption());
  }
}

TEST(ApplyTest, FirstEventMustBeCreate) {
  ConnectionState state;
  EXPECT_TRUE(Apply(state, MakeEvent("c1", 1, EventType::kOpened, 1000)).IsCorruption());
  EXPECT_EQ(state.revision, 0u);
}

}  // namespace
}  // namespace connectivity::projector
