// Helpers for the validation tests: connections of each type as compact JSON, and assertions on
// ValidateConnection's answer.
#ifndef CONNECTIVITY_TESTS_MODEL_VALIDATION_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_MODEL_VALIDATION_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "src/model/validation.h"
#include "tests/model/model_test_util.h"

namespace connectivity::model {

// A valid connection of `type` with one source and one target that the type accepts (none for a
// type without sources), id "test-connection".
inline std::string BaseConnectionOfType(std::string_view type) {
  const std::string t(type);
  const std::string head = R"({"id":"test-connection","connectionType":")" + t + R"(","connectionStatus":"closed",)";
  if (t == "mqtt" || t == "mqtt-5") {
    return head + R"("uri":"tcp://127.0.0.1:1883","sources":[{"addresses":["devices/#"],"qos":1,)"
                  R"("authorizationContext":["ditto:inbound"]}],"targets":[{"address":"out/{{ thing:id }}",)"
                  R"("qos":0,"topics":["_/_/things/twin/events"],"authorizationContext":["ditto:outbound"]}]})";
  }
  if (t == "kafka") {
    return head + R"("uri":"tcp://127.0.0.1:9092","specificConfig":{"bootstrapServers":"127.0.0.1:9092"},)"
                  R"("sources":[{"addresses":["events"],"qos":1,"authorizationContext":["ditto:inbound"]}],)"
                  R"("targets":[{"address":"out","topics":["_/_/things/twin/events"],)"
                  R"("authorizationContext":["ditto:outbound"]}]})";
  }
  if (t == "http-push") {
    return head + R"("uri":"https://127.0.0.1:443","sources":[],"targets":[{"address":"POST:/events",)"
                  R"("topics":["_/_/things/twin/events"],"authorizationContext":["ditto:outbound"]}]})";
  }
  if (t == "hono") {
    return head + R"("sources":[{"addresses":["telemetry"],"qos":1,"authorizationContext":["ditto:inbound"]}],)"
                  R"("targets":[{"address":"command","topics":["_/_/things/live/messages"],)"
                  R"("authorizationContext":["ditto:outbound"]}]})";
  }
  return head + R"("uri":"amqp://user:s3cr3t@127.0.0.1:5672","sources":[{"addresses":["in"],)"
                R"("authorizationContext":["ditto:inbound"]}],"targets":[{"address":"out",)"
                R"("topics":["_/_/things/twin/events"],"authorizationContext":["ditto:outbound"]}]})";
}

inline std::optional<DittoError> Validate(std::string_view json, const ValidationConfig& config = {}) {
  return ValidateConnection(ParseValid(json), config);
}

// Expects that `json` is valid.
inline void ExpectValid(std::string_view json, const ValidationConfig& config = {}) {
  const std::optional<DittoError> error = Validate(json, config);
  EXPECT_FALSE(error.has_value()) << error->ToJson() << "\n" << json;
}

// Expects the error `code` with `message` (and `description` unless it is "*").
inline void ExpectError(std::string_view json, std::string_view code, std::string_view message,
                        std::string_view description = "*", const ValidationConfig& config = {}) {
  const std::optional<DittoError> error = Validate(json, config);
  ASSERT_TRUE(error.has_value()) << "expected " << code << " for\n" << json;
  EXPECT_EQ(error->error, code) << error->ToJson();
  EXPECT_EQ(error->message, message) << error->ToJson();
  if (description != "*") {
    EXPECT_EQ(error->description, description) << error->ToJson();
  }
}

inline constexpr std::string_view kConfigInvalid = "connectivity:connection.configuration.invalid";
inline constexpr std::string_view kDefaultDescription =
    "Make sure all required properties are set and valid in the configuration.";

}  // namespace connectivity::model

#endif  // CONNECTIVITY_TESTS_MODEL_VALIDATION_TEST_UTIL_H_
