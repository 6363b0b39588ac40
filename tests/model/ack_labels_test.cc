// Goal: item 5 of REF §4.2: declared and issued acknowledgement labels must start with
// "<connection id>:" after {{ connection:id }} is resolved (live-response excepted), an issued
// label may be used by one target only (409), an invalid label is reported before a duplicate,
// and other placeholders in labels are unresolvable.
// Method: ValidateConnection on amqp-091 connections with labels.
#include "src/model/ack_labels.h"

#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

std::string WithDeclared(std::string_view labels) {
  return WithMember(BaseConnectionOfType("amqp-091"), "sources/0/declaredAcks", labels);
}

std::string WithIssued(std::string_view first, std::string_view second) {
  std::string json = BaseConnectionOfType("amqp-091");
  json = WithMember(json, "targets",
                    R"([{"address":"a","topics":["_/_/things/twin/events"],"authorizationContext":["x"]},)"
                    R"({"address":"b","topics":["_/_/things/twin/events"],"authorizationContext":["x"]}])");
  json = WithMember(json, "targets/0/issuedAcknowledgementLabel", first);
  return WithMember(json, "targets/1/issuedAcknowledgementLabel", second);
}

constexpr std::string_view kPrefixDescription =
    "Declared acknowledgement labels of a connection must have the form test-connection:<alphanumeric-suffix>";

TEST(AckLabelsTest, DeclaredLabelsNeedTheConnectionPrefix) {
  ExpectValid(WithDeclared(R"(["test-connection:done","{{connection:id}}:other"])"));
  ExpectError(WithDeclared(R"(["test-connection:ok","somethingWrong:test"])"), "acknowledgement:label.invalid",
              "Acknowledgement label <somethingWrong:test> is invalid.", kPrefixDescription);
  const std::optional<DittoError> error = Validate(WithDeclared(R"(["wrong:x"])"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_TRUE(error->href.empty());
}

TEST(AckLabelsTest, IssuedLabelsNeedThePrefixAndAreUnique) {
  ExpectValid(WithIssued(R"("{{connection:id}}:ack")", R"("test-connection:bb")"));
  ExpectValid(WithIssued(R"("live-response")", R"("live-response")"));  // needs no declaration
  ExpectError(WithIssued(R"("{{connection:id}}:ack")", R"("other:bb")"), "acknowledgement:label.invalid",
              "Acknowledgement label <other:bb> is invalid.", kPrefixDescription);
  const std::optional<DittoError> duplicate =
      Validate(WithIssued(R"("{{connection:id}}:test")", R"("{{ connection:id }}:test")"));
  ASSERT_TRUE(duplicate.has_value());
  EXPECT_EQ(duplicate->status, 409);
  EXPECT_EQ(duplicate->error, "acknowledgement:label.not.unique");
  EXPECT_EQ(duplicate->message, "An issued acknowledgement label may only be used for one target of the connection.");
  EXPECT_EQ(duplicate->description, "Please choose unique suffixes for your configured issued acknowledgement labels.");
  // An invalid label is reported before the duplicate.
  std::string json = WithIssued(R"("test-connection:xyz")", R"("test-connection:xyz")");
  json = WithMember(json, "sources/0/declaredAcks", R"(["bad:yy"])");
  ExpectError(json, "acknowledgement:label.invalid", "Acknowledgement label <bad:yy> is invalid.");
}

TEST(AckLabelsTest, OtherPlaceholdersCannotBeResolved) {
  ExpectError(WithDeclared(R"(["{{thing:id}}:xyz"])"), "placeholder:unresolved",
              "The placeholder 'thing:id' could not be resolved.");
}

TEST(AckLabelsTest, LabelsToDeclare) {
  Connection connection = ParseValid(WithIssued(R"("{{connection:id}}:ack")", R"("live-response")"));
  connection.sources[0].declared_acks = {"{{connection:id}}:src"};
  auto labels = AcknowledgementLabelsToDeclare(connection);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(labels));
  EXPECT_EQ(std::get<std::vector<std::string>>(labels),
            (std::vector<std::string>{"test-connection:src", "test-connection:ack"}));
}

}  // namespace
}  // namespace connectivity::model
