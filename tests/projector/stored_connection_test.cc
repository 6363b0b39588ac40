// Reading and editing canonical connection JSON without parsing it: the
// member markers are found at top level even when names, tags or nested
// options contain look-alike text.
#include "src/projector/stored_connection.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/projector/projector_test_util.h"

namespace connectivity::projector {
namespace {

using testing::CanonicalJson;

TEST(StoredConnectionTest, ReadsTypeStatusAndTags) {
  const std::string json = CanonicalJson("c1", "open", R"(["a","b\"c"])");
  EXPECT_TRUE(IsCanonicalConnectionJson(json));
  EXPECT_EQ(StoredConnectionStatus(json), "open");
  EXPECT_EQ(StoredConnectionType(json), "mqtt");
  EXPECT_EQ(StoredTags(json), (std::vector<std::string>{"a", "b\"c"}));
}

TEST(StoredConnectionTest, LookAlikeTextInNameDoesNotConfuse) {
  // The name holds the marker text; inside a JSON string its quotes are escaped.
  const std::string name = R"("x\",\"connectionStatus\":\"open\",\"tags\":[\"evil\"]")";
  std::string json = CanonicalJson("c1", "closed", R"(["good"])", name);
  EXPECT_EQ(StoredConnectionStatus(json), "closed");
  EXPECT_EQ(StoredTags(json), std::vector<std::string>{"good"});
  ASSERT_TRUE(ReplaceStoredConnectionStatus(json, "open"));
  EXPECT_EQ(StoredConnectionStatus(json), "open");
  EXPECT_NE(json.find(R"(\"connectionStatus\":\"open\")"), std::string::npos);  // name intact
}

TEST(StoredConnectionTest, NestedTagsMemberBeforeTopLevelTagsIsIgnored) {
  std::string json = CanonicalJson("c1", "closed", R"(["top"])");
  const std::string nested = R"("mappingDefinitions":{"m":{"mappingEngine":"JavaScript","options":{"a":1,"tags":["nested"]}}},)";
  json.insert(json.find("\"tags\":["), nested);
  EXPECT_EQ(StoredTags(json), std::vector<std::string>{"top"});
}

TEST(StoredConnectionTest, RejectsNonCanonical) {
  EXPECT_FALSE(IsCanonicalConnectionJson(""));
  EXPECT_FALSE(IsCanonicalConnectionJson("{}"));
  EXPECT_FALSE(IsCanonicalConnectionJson(R"({"connectionType":"mqtt","id":"x"})"));
  std::string missing_tags = CanonicalJson("c1", "open");
  missing_tags.erase(missing_tags.find(",\"tags\""));
  missing_tags += "}";
  EXPECT_FALSE(IsCanonicalConnectionJson(missing_tags));
}

TEST(StoredConnectionTest, HiddenFieldsInDittoOrderAndValidJson) {
  ConnectionState state;
  state.id = "c1";
  state.revision = 4;
  state.connection_revision = 3;
  state.created_us = 1714731072000000;
  state.modified_us = 1714731072345000;
  state.json = CanonicalJson("c1", "open");
  const std::string full = StoredJsonWithHiddenFields(state);
  EXPECT_EQ(full.rfind(R"({"__lifecycle":"ACTIVE","id":"c1","name":null,"_revision":3,)"
                       R"("_modified":"2024-05-03T10:11:12.345000Z",)"
                       R"("_created":"2024-05-03T10:11:12.000000Z","connectionType":"mqtt",)", 0),
            0u)
      << full;
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(simdjson::padded_string(full)).error(), simdjson::SUCCESS);
  state.deleted = true;
  EXPECT_EQ(StoredJsonWithHiddenFields(state).rfind(R"({"__lifecycle":"DELETED",)", 0), 0u);
}

}  // namespace
}  // namespace connectivity::projector
