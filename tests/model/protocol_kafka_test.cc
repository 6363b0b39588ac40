// Goal: item 12 of REF §4.2 for Kafka: schemes, source topics (Kafka's names, no placeholders),
// source qos 0/1, target `topic`, `topic/key`, `topic#partition` with placeholders replaced,
// bootstrapServers format, SASL mechanisms (case-insensitive, SPEC §4.3), groupId and
// consumerOffsetReset; each with a valid case and the exact error, in Ditto's order.
// Method: ValidateConnection on variations of BaseConnectionOfType("kafka").
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

std::string Kafka() { return BaseConnectionOfType("kafka"); }

std::string WithSpecific(std::string_view members) {
  return WithMember(Kafka(), "specificConfig", R"({"bootstrapServers":"127.0.0.1:9092")" + std::string(members) + "}");
}

TEST(KafkaTest, UriScheme) {
  ExpectValid(WithMember(Kafka(), "uri", R"("ssl://127.0.0.1:9093")"));
  ExpectError(WithMember(Kafka(), "uri", R"("kafka://127.0.0.1:9092")"), "connectivity:connection.uri.invalid",
              "The URI scheme 'kafka' is not valid for Kafka 2.1.1.", "Accepted URI schemes are: tcp, ssl");
}

TEST(KafkaTest, SourceTopicsAndQos) {
  ExpectValid(WithMember(Kafka(), "sources/0/addresses", R"(["a.b_c-D9"])"));
  ExpectError(WithMember(Kafka(), "sources/0/addresses", R"(["ditto/{{thing:id}}"])"), kConfigInvalid,
              "The provided topic 'ditto/{{thing:id}}' is not valid: Topic name \"ditto/{{thing:id}}\" is illegal, it "
              "contains a character other than ASCII alphanumerics, '.', '_' and '-'");
  ExpectError(WithMember(Kafka(), "sources/0/addresses", R"([".."])"), kConfigInvalid,
              "The provided topic '..' is not valid: Topic name cannot be \".\" or \"..\"");
  const std::string long_name(250, 'a');
  ExpectError(WithMember(Kafka(), "sources/0/addresses", "[\"" + long_name + "\"]"), kConfigInvalid,
              "The provided topic '" + long_name + "' is not valid: Topic name is illegal, it can't be longer than 249 "
              "characters, topic name: " + long_name);
  ExpectValid(WithMember(Kafka(), "sources/0/qos", "0"));
  ExpectError(WithMember(Kafka(), "sources/0/qos", "2"), kConfigInvalid,
              "Invalid 'qos' value for Kafka source, supported are: <0> or <1>. Configured 'qos' value was: <2>");
}

TEST(KafkaTest, TargetAddresses) {
  for (std::string_view valid : {"topic", "topic/key", "topic/{{ thing:id }}", "topic#3", "topic#{{ header:p }}",
                                 "{{ thing:namespace }}"}) {
    ExpectValid(WithMember(Kafka(), "targets/0/address", "\"" + std::string(valid) + "\""));
  }
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("ditto#notANumber")"), kConfigInvalid,
              "Can not parse partition number from notANumber.");
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("ditto#p{{ header:x }}")"), kConfigInvalid,
              "Can not parse partition number from p<placeholder>.");
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("topic/")"), kConfigInvalid,
              "The provided key in your target address may not be empty.");
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("topic#")"), kConfigInvalid,
              "The provided partition in your target address may not be empty.");
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("/x")"), kConfigInvalid,
              "The provided topic '/x' is not valid: Topic name \"/x\" is illegal, it contains a character other than "
              "ASCII alphanumerics, '.', '_' and '-'");
  ExpectError(WithMember(Kafka(), "targets/0/address", R"("{{ header:x | fn:delete() }}")"), kConfigInvalid,
              "The placeholder '{{ header:x | fn:delete() }}' could not be resolved.");
}

TEST(KafkaTest, BootstrapServers) {
  for (std::string_view valid : {"127.0.0.1:9092", "a:1,b.example:65535", "a:9092, b:9093", "host.:80",
                                 "a:12b:34", "broker-1.kafka:9092 ,broker-2.kafka:9092"}) {
    ExpectValid(WithMember(Kafka(), "specificConfig", R"({"bootstrapServers":")" + std::string(valid) + "\"}"));
  }
  for (std::string_view invalid : {"foo:123;bar:456", "", "a", "a:0", "a:65536", "a:1,", "-a:1", "a_b:1", "a:1 ,"}) {
    ExpectError(WithMember(Kafka(), "specificConfig", R"({"bootstrapServers":")" + std::string(invalid) + "\"}"),
                kConfigInvalid, "The provided list of bootstrap servers '" + std::string(invalid) + "' is not valid");
  }
  ExpectError(WithMember(Kafka(), "specificConfig", "{}"), kConfigInvalid,
              "The provided list of bootstrap servers 'null' is not valid");
}

TEST(KafkaTest, SaslMechanismWithUriCredentials) {
  const std::string with_user = WithMember(Kafka(), "uri", R"("tcp://user:secret@127.0.0.1:9092")");
  const auto specific = [&](std::string_view members) {
    return WithMember(with_user, "specificConfig", R"({"bootstrapServers":"127.0.0.1:9092")" + std::string(members) + "}");
  };
  ExpectValid(specific(""));  // PLAIN by default
  ExpectValid(specific(R"(,"saslMechanism":"scram-sha-512")"));
  ExpectError(specific(R"(,"saslMechanism":"GSSAPI")"), kConfigInvalid,
              "The connection configuration contains an invalid value for SASL mechanisms: <GSSAPI>. Allowed "
              "mechanisms are: <[PLAIN, SCRAM-SHA-512, SCRAM-SHA-256]>");
  ExpectValid(WithSpecific(R"(,"saslMechanism":"GSSAPI")"));  // not applicable without credentials
  // SASL is checked before the bootstrap servers.
  ExpectError(WithMember(with_user, "specificConfig", R"({"saslMechanism":"x"})"), kConfigInvalid,
              "The connection configuration contains an invalid value for SASL mechanisms: <x>. Allowed "
              "mechanisms are: <[PLAIN, SCRAM-SHA-512, SCRAM-SHA-256]>");
}

TEST(KafkaTest, GroupIdAndOffsetReset) {
  ExpectValid(WithSpecific(R"(,"groupId":"{{ connection:id }}-group.1","consumerOffsetReset":"LATEST")"));
  ExpectError(WithSpecific(R"(,"groupId":"my group")"), kConfigInvalid,
              "The connection configuration contains an invalid value for the consumer group ID. Allowed Characters "
              "are: <[a-zA-Z0-9\\._\\-]>");
  ExpectError(WithSpecific(R"(,"groupId":"{{ thing:id }}")"), "placeholder:unresolved",
              "The placeholder 'thing:id' could not be resolved.");
  ExpectError(WithSpecific(R"(,"consumerOffsetReset":"newest")"), kConfigInvalid,
              "The connection configuration contains an invalid value for the consumer offset reset. Allowed values "
              "are: <[earliest, latest]>");
  // Without sources neither is checked.
  std::string target_only = WithMember(WithSpecific(R"(,"groupId":"my group")"), "sources", "[]");
  ExpectValid(target_only);
}

TEST(KafkaTest, OrderOfChecks) {
  // Sources before targets before payload mappings before specificConfig.
  std::string json = WithMember(Kafka(), "sources/0/qos", "5");
  json = WithMember(json, "targets/0/address", R"("t#x")");
  json = WithMember(json, "specificConfig", "{}");
  ExpectError(json, kConfigInvalid,
              "Invalid 'qos' value for Kafka source, supported are: <0> or <1>. Configured 'qos' value was: <5>");
  json = WithMember(json, "sources/0/qos", "1");
  ExpectError(json, kConfigInvalid, "Can not parse partition number from x.");
  json = WithMember(WithMember(json, "targets/0/address", R"("t#1")"), "targets/0/payloadMapping", R"(["nope"])");
  ExpectError(json, kConfigInvalid, "The mapper <nope> could not be loaded.");
}

}  // namespace
}  // namespace connectivity::model
