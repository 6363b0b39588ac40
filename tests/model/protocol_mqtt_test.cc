// Goal: item 12 of REF §4.2 for MQTT 3.1.1 and MQTT 5: schemes, topic filters and topic names
// (HiveMQ's messages), qos required and in 0..2, enforcement input placeholders per version,
// MQTT 3.1.1's client count, consumer count and header restrictions, keepAlive and last will;
// each with a valid case and the exact error, and the order where it matters.
// Method: ValidateConnection on variations of BaseConnectionOfType("mqtt"/"mqtt-5").
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

class MqttTest : public ::testing::TestWithParam<std::string_view> {
 protected:
  std::string Base() const { return BaseConnectionOfType(GetParam()); }
  bool IsMqtt3() const { return GetParam() == "mqtt"; }
};

TEST_P(MqttTest, UriScheme) {
  ExpectValid(WithMember(Base(), "uri", R"("ssl://127.0.0.1:8883")"));
  ExpectError(WithMember(Base(), "uri", R"("amqp://127.0.0.1:1883")"), "connectivity:connection.uri.invalid",
              std::string("The URI scheme 'amqp' is not valid for ") + (IsMqtt3() ? "MQTT 3.1.1." : "MQTT 5."),
              "Accepted URI schemes are: tcp, ssl");
}

TEST_P(MqttTest, SourceTopicFilters) {
  ExpectValid(WithMember(Base(), "sources/0/addresses", R"(["a/+/b","#","$share/group/x/#"])"));
  const auto invalid = [&](std::string_view address, std::string_view reason) {
    ExpectError(WithMember(Base(), "sources/0/addresses", "[\"" + std::string(address) + "\"]"), kConfigInvalid,
                "The provided topic '" + std::string(address) + "' is not valid: " + std::string(reason));
  };
  invalid("a/#/b", "Topic filter [a/#/b] contains misplaced wildcard characters. Multi level wildcard (#) must be "
                   "the last character.");
  invalid("a+", "Topic filter [a+] contains misplaced wildcard characters. Wildcard (+) at index 1 must follow a "
                "topic level separator.");
  invalid("a/+b", "Topic filter [a/+b] contains misplaced wildcard characters. Single level wildcard (+) at index 2 "
                  "must be followed by a topic level separator.");
  invalid("$share//x", "Share name must be at least one character long.");
  invalid("$share/g#/x", "Share name [g#] must not contain multi level wildcard (#), found at index 8.");
  invalid("$share/g/", "Topic filter must be at least one character long.");
}

TEST_P(MqttTest, TargetTopicNames) {
  ExpectError(WithMember(Base(), "targets/0/address", R"("out/#")"), kConfigInvalid,
              "The provided topic 'out/#' is not valid: Topic [out/#] must not contain multi level wildcard (#), "
              "found at index 4.");
  ExpectError(WithMember(Base(), "targets/0/address", R"("o+t")"), kConfigInvalid,
              "The provided topic 'o+t' is not valid: Topic [o+t] must not contain single level wildcard (+), found "
              "at index 1.");
  ExpectError(WithMember(Base(), "targets/0/address", R"("out/{{ nope:x }}")"), kConfigInvalid,
              "The placeholder 'nope:x' could not be resolved.");
}

TEST_P(MqttTest, QosIsRequiredAndInRange) {
  ExpectValid(WithMember(Base(), "sources/0/qos", "2"));
  ExpectError(WithoutMember(Base(), "sources").insert(1, R"("sources":[{"addresses":["a"],"authorizationContext":["x"]}],)"),
              kConfigInvalid, "MQTT Source <Source of index 0 of connection 'test-connection'> must contain QoS value.",
              kDefaultDescription);
  ExpectError(WithMember(Base(), "sources/0/qos", "3"), kConfigInvalid,
              "Invalid value '3' for configuration 'qos' in Source of index 0 of connection 'test-connection'");
  ExpectError(WithMember(Base(), "sources/0/qos", "-1000"), kConfigInvalid,
              "Invalid value '-1,000' for configuration 'qos' in Source of index 0 of connection 'test-connection'");
  ExpectError(WithMember(Base(), "targets/0/qos", "7"), kConfigInvalid,
              "Invalid value '7' for configuration 'qos' in Target of address 'out/{{ thing:id }}' of connection "
              "'test-connection'");
}

TEST_P(MqttTest, EnforcementInputAndFilters) {
  std::string json = WithMember(Base(), "sources/0/enforcement",
                                R"({"input":"{{ source:address }}","filters":["{{ thing:id }}","{{ policy:name }}"]})");
  ExpectValid(json);
  const std::string header = WithMember(json, "sources/0/enforcement/input", R"("{{ header:device }}")");
  if (IsMqtt3()) {
    ExpectError(header, kConfigInvalid,
                "Invalid value '{{ header:device }}' for configuration 'input' in Source of index 0 of connection "
                "'test-connection'",
                "'{{ header:device }}' is not a valid value for MQTT enforcement. Valid placeholders are: "
                "'source:address'.");
  } else {
    ExpectValid(header);
    ExpectError(WithMember(json, "sources/0/enforcement/input", R"("{{ thing:id }}")"), kConfigInvalid,
                "Invalid value '{{ thing:id }}' for configuration 'input' in Source of index 0 of connection "
                "'test-connection'",
                "'{{ thing:id }}' is not a valid value for MQTT enforcement. Valid placeholders are: "
                "'source:address, header:<name>'.");
  }
  ExpectError(WithMember(json, "sources/0/enforcement/filters", R"(["{{ thing:id }}","{{ feature:id }}"])"),
              kConfigInvalid,
              "Invalid value '[{{ thing:id }}, {{ feature:id }}]' for configuration 'filters' in Source of index 0 "
              "of connection 'test-connection'",
              "Placeholder substitution failed. Please check the placeholder variables against the documentation.");
}

TEST_P(MqttTest, KeepAlive) {
  for (std::string_view valid : {"60s", "0", "65535s", "1m", "60000"}) {
    ExpectValid(WithMember(Base(), "specificConfig", R"({"keepAlive":")" + std::string(valid) + "\"}"));
  }
  ExpectError(WithMember(Base(), "specificConfig", R"({"keepAlive":"65536s"})"), kConfigInvalid,
              "Expected seconds of duration to be within [0, 65535] but it was <65536>.",
              "Please adjust the interval to be within the allowed range.");
  ExpectError(WithMember(Base(), "specificConfig", R"({"keepAlive":"-1s"})"), kConfigInvalid,
              "Expected seconds of duration to be within [0, 65535] but it was <-1>.");
  ExpectError(WithMember(Base(), "specificConfig", R"({"keepAlive":"soon"})"), kConfigInvalid,
              "Configured value for Keep Alive Interval is invalid: Invalid value at 'keepAlive': No number in "
              "duration value 'soon'");
  ExpectError(WithMember(Base(), "specificConfig", R"({"keepAlive":"5 fortnights"})"), kConfigInvalid,
              "Configured value for Keep Alive Interval is invalid: Invalid value at 'keepAlive': Could not parse "
              "time unit 'fortnights' (try ns, us, ms, s, m, h, d)");
}

TEST_P(MqttTest, LastWill) {
  ExpectValid(WithMember(Base(), "specificConfig", R"({"lastWillTopic":"will/topic","lastWillQos":2})"));
  ExpectValid(WithMember(Base(), "specificConfig", R"({"lastWillQos":9})"));  // only with a topic
  ExpectValid(WithMember(Base(), "specificConfig", R"({"lastWillTopic":"t","lastWillQos":"high"})"));  // default 0
  ExpectError(WithMember(Base(), "specificConfig", R"({"lastWillTopic":"topic","lastWillQos":"5"})"), kConfigInvalid,
              "<5> is not a valid MQTT QoS code.", "Please provide a valid MQTT QoS code for config key <lastWillQos>.");
  ExpectError(WithMember(Base(), "specificConfig", R"({"lastWillTopic":"will/#"})"), kConfigInvalid,
              "Topic [will/#] must not contain multi level wildcard (#), found at index 5.",
              "Please provide a valid MQTT topic for config key <lastWillTopic>.");
}

INSTANTIATE_TEST_SUITE_P(BothVersions, MqttTest, ::testing::Values("mqtt", "mqtt-5"));

TEST(Mqtt3Test, ClientAndConsumerCount) {
  const std::string base = BaseConnectionOfType("mqtt");
  ExpectError(WithMember(base, "clientCount", "2"), kConfigInvalid, "Client count limited to 1 for MQTT 3.1.1 connections.",
              "MQTT 3.1.1 does not support load-balancing; starting more than 1 client will only result in duplicate "
              "incoming messages.");
  ExpectError(WithMember(base, "sources/0/consumerCount", "2"), kConfigInvalid,
              "Consumer count limited to 1 for MQTT 3.1.1 connections.");
  ExpectValid(WithMember(WithMember(BaseConnectionOfType("mqtt-5"), "clientCount", "2"), "sources/0/consumerCount", "3"));
}

TEST(Mqtt3Test, SourceHeaderMappingOnlyFromMqttHeaders) {
  const std::string base = BaseConnectionOfType("mqtt");
  ExpectValid(WithMember(base, "sources/0/headerMapping", R"({"t":"{{ header:mqtt.topic }}","c":"constant"})"));
  ExpectError(WithMember(base, "sources/0/headerMapping", R"({"c":"{{ header:correlation-id }}"})"), kConfigInvalid,
              "The placeholder 'header:correlation-id' could not be resolved.");
  ExpectValid(WithMember(BaseConnectionOfType("mqtt-5"), "sources/0/headerMapping", R"({"c":"{{ header:x }}"})"));
}

TEST(Mqtt3Test, OutgoingHeaderMappingKeys) {
  const std::string base = BaseConnectionOfType("mqtt");
  ExpectValid(WithMember(base, "targets/0/headerMapping", R"({"mqtt.qos":"{{ header:q }}","mqtt.retain":"true"})"));
  ExpectError(WithMember(base, "targets/0/headerMapping", R"({"correlation-id":"x"})"), kConfigInvalid,
              "The header 'correlation-id' is not allowed in MQTT 3.1.1 target header mapping.",
              "The following headers are allowed and are directly applied to the published MQTT message: "
              "[mqtt.topic, mqtt.qos, mqtt.retain]");
  ExpectError(WithMember(base, "sources/0/replyTarget",
                         R"({"address":"r","headerMapping":{"content-type":"{{ header:content-type }}"}})"),
              kConfigInvalid, "The header 'content-type' is not allowed in MQTT 3.1.1 target header mapping.");
  ExpectError(WithMember(base, "targets/0/headerMapping", R"({"mqtt.topic":"{{ thing:id }}"})"), kConfigInvalid,
              "The placeholder 'thing:id' could not be resolved.");
}

TEST(Mqtt3Test, OrderOfChecks) {
  // Client count before addresses, addresses before sources, sources before targets.
  std::string json = WithMember(BaseConnectionOfType("mqtt"), "clientCount", "2");
  json = WithMember(json, "targets/0/address", R"("out/#")");
  ExpectError(json, kConfigInvalid, "Client count limited to 1 for MQTT 3.1.1 connections.");
  json = WithMember(WithMember(json, "clientCount", "1"), "sources/0/qos", "5");
  ExpectError(json, kConfigInvalid,
              "The provided topic 'out/#' is not valid: Topic [out/#] must not contain multi level wildcard (#), "
              "found at index 4.");
}

}  // namespace
}  // namespace connectivity::model
