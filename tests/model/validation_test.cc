// Goal: the service-level rules of REF §4.2 items 1-3 answer with Ditto's exact message and
// description and honour the configured limits, and all twelve items run in Ditto's order: a
// connection that breaks every rule is answered with item 1, and fixing the rules one by one
// reveals them in Ditto's order. (Items 4-12 have their own test files.)
// Method: build connections by parsing small variations and call ValidateConnection.
#include "src/model/validation.h"

#include <gtest/gtest.h>

#include "tests/model/fake_host_resolver.h"
#include "tests/model/validation_test_util.h"

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

TEST(ValidationTest, TargetTopicFiltersAreRql) {
  ExpectValid(WithMember(kBaseConnection, "targets/0/topics",
                         R"j(["_/_/things/twin/events?filter=and(gt(attributes/counter,42),exists(features/x))"])j"));
  ExpectError(WithMember(kBaseConnection, "targets/0/topics",
                         R"(["_/_/things/twin/events?filter=eq(attributes/counter"])"),
              "rql.expression.invalid",
              "Unexpected end of input, expected ',' (line 1, column 22):\neq(attributes/counter\n                     ^",
              "Ensure that all opening parentheses have also closing ones and that the RQL expression is valid.");
  // A target's filters are checked right after its address, before the next target's address.
  std::string json = WithMember(kBaseConnection, "targets",
                                R"j([{"address":"a","topics":["_/_/things/twin/events?filter=eq(nope,1)"],)j"
                                R"("authorizationContext":["x"]},{"address":"","authorizationContext":["x"]}])");
  ExpectError(json, "rql.expression.invalid", "Unknown property name: nope");
}

TEST(ValidationTest, ItemsRunInDittosOrder) {
  std::string json = BaseConnectionOfType("amqp-10");
  json = WithMember(json, "uri", R"("tcp://127.0.0.1:5672")");                                    // 12
  json = WithMember(json, "sources/0/headerMapping", R"({"divert-response-to-connection":"test-connection"})");  // 11
  json = WithMember(json, "credentials", R"({"type":"hmac","algorithm":"nope","parameters":{}})");  // 10
  json = WithMember(json, "sshTunnel", R"({"enabled":true,"credentials":{"type":"plain","username":"u",)"
                                       R"("password":"p"},"validateHost":true,"uri":"ssh://127.0.0.2:22"})");  // 9
  json = WithMember(json, "ca", R"("garbage")");                                                // 6
  json = WithMember(json, "sources/0/declaredAcks", R"(["wrong:x"])");                         // 5
  json = WithMember(json, "sources/0/payloadMapping", R"(["Ditto","Ditto","Ditto","Ditto","Ditto","Ditto",)"
                                                      R"("Ditto","Ditto","Ditto","Ditto","Ditto"])");  // 4
  json = WithMember(json, "targets/0/topics", R"(["_/_/things/twin/events?filter=eq(x"])");    // 3
  json = WithMember(json, "sources/0/addresses", R"([""])");                                    // 2
  json = WithMember(json, "sources", "[" + MemberJson(json, "sources/0") + "," + Sources(4).substr(1));  // 1
  ValidationConfig config;
  config.hosts.blocked_hostnames = {"127.0.0.1"};
  // An empty table knows IP literals only: the host rules never touch DNS in tests.
  config.host_resolver = std::make_shared<testing::FakeHostResolver>();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"sources", "The number of configured sources or targets within a connection exceeded."},
      {"sources/0/addresses", "Source 0 of connection <test-connection>: addresses may not be empty."},
      {"targets/0/topics", "Unexpected end of input, expected ',' (line 1, column 5):\neq(x\n    ^"},
      {"sources/0/payloadMapping", "The number of configured payload mappings exceeded the limit."},
      {"sources/0/declaredAcks", "Acknowledgement label <wrong:x> is invalid."},
      {"ca", "/ca: bad format. Expect PEM-encoded DER data specified by RFC-7468 starting with "
             "'-----BEGIN CERTIFICATE-----'"},
      {"uri", "The configured host '127.0.0.1' may not be used for the connection because the host is blocked: "
              "the hostname resolved to a loopback address (127.0.0.1)."},
      {"sshTunnel", "Specify at least one fingerprint if host validationis enabled."},
      {"credentials", "Unsupported HMAC algorithm: nope"},
      {"sources/0/headerMapping", "It is pointless to divert responses to the originating connection, it will "
                                  "receive the responses by default. Remove the divert-response-to-connection "
                                  "from the headerMapping of connection: test-connection"},
      {"uri", "The URI scheme 'tcp' is not valid for AMQP 1.0."},
  };
  const std::vector<std::pair<std::string, std::string>> fixes = {
      {"sources", ""},  // drop the extra sources (set below)
      {"sources/0/addresses", R"(["in"])"},
      {"targets/0/topics", R"(["_/_/things/twin/events"])"},
      {"sources/0/payloadMapping", "[]"},
      {"sources/0/declaredAcks", "[]"},
      {"ca", ""},
      {"uri", ""},  // unblock: the next ones need another config
      {"sshTunnel", ""},
      {"credentials", ""},
      {"sources/0/headerMapping", "{}"},
      {"uri", R"("amqp://127.0.0.1:5672")"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].second);
    std::optional<DittoError> error = Validate(json, config);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->message, expected[i].second);
    const auto& [path, value] = fixes[i];
    if (path == "sources") {
      json = WithMember(json, "sources", "[" + MemberJson(json, "sources/0") + "]");
    } else if (path == "uri" && value.empty()) {
      config.hosts.blocked_hostnames.clear();
    } else if (value.empty()) {
      json = WithoutMember(json, path);
    } else {
      json = WithMember(json, path, value);
    }
  }
  EXPECT_FALSE(Validate(json, config).has_value());
}

}  // namespace
}  // namespace connectivity::model
