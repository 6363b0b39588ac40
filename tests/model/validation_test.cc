// Goal: the service-level rules implemented so far (REF §4.2 items 1 and 2) answer with Ditto's
// exact message and description, honour the configured limits, and run in Ditto's order.
// Method: build connections by parsing small variations and call ValidateConnection.
#include "src/model/validation.h"

#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace connectivity::model {
namespace {

std::string Sources(int count) {
  std::string sources = "[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) sources += ",";
    sources += R"({"addresses":["s)" + std::to_string(i) + R"("],"authorizationContext":["a"]})";
  }
  return sources + "]";
}

std::string Targets(int count) {
  std::string targets = "[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) targets += ",";
    targets += R"({"address":"t)" + std::to_string(i) + R"(","authorizationContext":["a"]})";
  }
  return targets + "]";
}

TEST(ValidationTest, BaseConnectionIsValid) {
  EXPECT_FALSE(ValidateConnection(ParseValid(kBaseConnection), ValidationConfig{}).has_value());
}

TEST(ValidationTest, TooManySources) {
  Connection connection = ParseValid(WithMember(kBaseConnection, "sources", Sources(5)));
  std::optional<DittoError> error = ValidateConnection(connection, ValidationConfig{});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->error, "connectivity:connection.configuration.invalid");
  EXPECT_EQ(error->message, "The number of configured sources or targets within a connection exceeded.");
  EXPECT_EQ(error->description,
            "The number of configured sources for connection: test-connection is above the limit of 4.");
  EXPECT_FALSE(ValidateConnection(ParseValid(WithMember(kBaseConnection, "sources", Sources(4))),
                                  ValidationConfig{})
                   .has_value());
  ValidationConfig larger;
  larger.sources_max = 5;
  EXPECT_FALSE(ValidateConnection(connection, larger).has_value());
}

TEST(ValidationTest, TooManyTargets) {
  Connection connection = ParseValid(WithMember(kBaseConnection, "targets", Targets(3)));
  ValidationConfig config;
  config.targets_max = 2;
  std::optional<DittoError> error = ValidateConnection(connection, config);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "The number of configured sources or targets within a connection exceeded.");
  EXPECT_EQ(error->description,
            "The number of configured targets for connection: test-connection is above the limit of 2.");
}

TEST(ValidationTest, SourcesAreCountedBeforeTargets) {
  std::string json = WithMember(kBaseConnection, "sources", Sources(5));
  json = WithMember(json, "targets", Targets(5));
  std::optional<DittoError> error = ValidateConnection(ParseValid(json), ValidationConfig{});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->description.find("configured sources"), std::string::npos);
}

TEST(ValidationTest, EmptySourceAddresses) {
  for (std::string_view addresses : {"[]", R"([""])", R"(["a", ""])"}) {
    std::string json = WithMember(kBaseConnection, "sources",
                                  R"([7, {"authorizationContext": ["a"]}])");
    json = WithMember(json, "sources/1/addresses", addresses);
    std::optional<DittoError> error = ValidateConnection(ParseValid(json), ValidationConfig{});
    ASSERT_TRUE(error.has_value()) << addresses;
    EXPECT_EQ(error->error, "connectivity:connection.configuration.invalid");
    // The index counts the skipped non-object element, as Ditto's does.
    EXPECT_EQ(error->message, "Source 1 of connection <test-connection>: addresses may not be empty.");
    EXPECT_EQ(error->description,
              "Make sure all required properties are set and valid in the configuration.");
  }
}

TEST(ValidationTest, EmptyTargetAddress) {
  std::optional<DittoError> error = ValidateConnection(
      ParseValid(WithMember(kBaseConnection, "targets/0/address", R"("")")), ValidationConfig{});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "Targets of connection <test-connection>: addresses may not be empty.");
}

TEST(ValidationTest, CountsAreCheckedBeforeAddresses) {
  std::string json = WithMember(kBaseConnection, "sources", Sources(5));
  json = WithMember(json, "sources/0/addresses", "[]");
  std::optional<DittoError> error = ValidateConnection(ParseValid(json), ValidationConfig{});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "The number of configured sources or targets within a connection exceeded.");
}

}  // namespace
}  // namespace connectivity::model
