// Goal: item 12 of REF §4.2 for AMQP 0.9.1, AMQP 1.0 and Hono: URI schemes, enforcement input and
// filter placeholders, header mapping and target address placeholders, extraFields placeholders,
// Hono's address aliases and qos; each rule with a valid case and the exact error.
// Method: ValidateConnection on variations of BaseConnectionOfType.
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kUnresolvedDescription =
    "Some placeholders could not be resolved. Check the spelling of the placeholder and make sure all "
    "required headers are set.";

class AmqpTest : public ::testing::TestWithParam<std::string_view> {
 protected:
  std::string Base() const { return BaseConnectionOfType(GetParam()); }
  std::string Protocol() const { return GetParam() == "amqp-091" ? "AMQP 0.9.1" : "AMQP 1.0"; }
};

TEST_P(AmqpTest, UriScheme) {
  ExpectValid(WithMember(Base(), "uri", R"("amqps://127.0.0.1:5671")"));
  ExpectError(WithMember(Base(), "uri", R"("tcp://user:secret@127.0.0.1:5672")"), "connectivity:connection.uri.invalid",
              "The URI scheme 'tcp' is not valid for " + Protocol() + ".", "Accepted URI schemes are: amqp, amqps");
}

TEST_P(AmqpTest, EnforcementInputIsAHeader) {
  std::string json = WithMember(Base(), "sources/0/enforcement",
                                R"({"input":"{{ header:device_id }}","filters":["{{ thing:id }}","{{ feature:id }}"]})");
  ExpectValid(json);
  ExpectError(WithMember(json, "sources/0/enforcement/input", R"("{{ thing:id }}")"), kConfigInvalid,
              "The placeholder 'thing:id' could not be resolved.", kUnresolvedDescription);
  ExpectError(WithMember(json, "sources/0/enforcement/filters", R"(["{{ header:x }}"])"), kConfigInvalid,
              "The placeholder 'header:x' could not be resolved.");
}

TEST_P(AmqpTest, HeaderMappingsAndAddresses) {
  std::string json = WithMember(Base(), "sources/0/headerMapping", R"({"a":"{{ header:x }}","b":"const"})");
  json = WithMember(json, "targets/0/headerMapping", R"({"subject":"{{ topic:subject }}"})");
  json = WithMember(json, "targets/0/address", R"("out/{{ thing:namespace }}/{{ time:now }}")");
  ExpectValid(json);
  ExpectError(WithMember(json, "sources/0/headerMapping", R"({"thingId":"{{ thing:invalid }}"})"), kConfigInvalid,
              "The placeholder 'thing:invalid' could not be resolved.");
  ExpectError(WithMember(json, "targets/0/headerMapping", R"({"x":"{{ header:a | fn:nope() }}"})"), kConfigInvalid,
              "The function <fn:nope()> is not known.",
              "Ensure to only use supported functions. Check if you maybe just forgot to use parentheses for a "
              "function with empty parameters.");
  ExpectError(WithMember(json, "targets/0/address", R"("out/{{ source:address }}")"), kConfigInvalid,
              "The placeholder 'source:address' could not be resolved.");
  // Target header mappings are checked before the target address.
  std::string both = WithMember(json, "targets/0/address", R"("{{ a:b }}")");
  ExpectError(WithMember(both, "targets/0/headerMapping", R"({"x":"{{ c:d }}"})"), kConfigInvalid,
              "The placeholder 'c:d' could not be resolved.");
}

TEST_P(AmqpTest, ExtraFieldsPlaceholdersAreNotReWrapped) {
  ExpectValid(WithMember(Base(), "targets/0/topics", R"(["_/_/things/twin/events?extraFields=attributes/{{ thing:name }}"])"));
  ExpectError(WithMember(Base(), "targets/0/topics", R"(["_/_/things/twin/events?extraFields=attributes/{{ nope:x }}"])"),
              "placeholder:unresolved", "The placeholder 'nope:x' could not be resolved.");
}

INSTANTIATE_TEST_SUITE_P(BothVersions, AmqpTest, ::testing::Values("amqp-091", "amqp-10"));

TEST(HonoTest, SourceAddressesAndQos) {
  const std::string base = BaseConnectionOfType("hono");
  ExpectValid(WithMember(base, "sources/0/addresses", R"(["telemetry","event","command_response"])"));
  ExpectError(WithMember(base, "sources/0/addresses", R"(["command"])"), kConfigInvalid,
              "The provided source address <command> is invalid. It should be one of the defined aliases: "
              "[telemetry, event, command_response]");
  ExpectValid(WithMember(base, "sources/0/qos", "0"));
  ExpectError(WithMember(base, "sources/0/qos", "2"), kConfigInvalid,
              "Invalid source 'qos' value <2>. Supported values are <0> and <1>.");
  ExpectError(WithMember(base, "sources/0/enforcement", R"({"input":"{{ thing:id }}"})"), kConfigInvalid,
              "The placeholder 'thing:id' could not be resolved.");
}

TEST(HonoTest, TargetAddressIsCommand) {
  ExpectError(WithMember(BaseConnectionOfType("hono"), "targets/0/address", R"("telemetry")"), kConfigInvalid,
              "The provided target address <telemetry> is invalid. It should be <command>.");
}

TEST(HonoTest, UriIsNotChecked) {
  ExpectValid(WithMember(BaseConnectionOfType("hono"), "uri", R"("whatever://127.0.0.1:1")"));
}

}  // namespace
}  // namespace connectivity::model
