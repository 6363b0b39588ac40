// Goal: payload mapping references (part of every type's validator, REF §4.2 item 12) and the
// per-source/target mapper limit (item 4): ids must name a mapping definition whose mapper can be
// configured, or a built-in mapper without mandatory configuration; a too long JavaScript mapping
// script fails; more than 10 mappings per source or target are rejected; exact messages.
// Method: ValidateConnection on amqp-10 connections with mappingDefinitions.
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

std::string WithMappings(std::string_view source_mappings, std::string_view definitions) {
  std::string json = WithMember(BaseConnectionOfType("amqp-10"), "sources/0/payloadMapping", source_mappings);
  return WithMember(json, "mappingDefinitions", definitions);
}

constexpr std::string_view kFallback =
    "fallback mapper names [UpdateTwinWithLiveResponse, Normalized, Ditto, CloudEvents, RawMessage].";

TEST(PayloadMappingsTest, BuiltInAndDefinedMappers) {
  ExpectValid(WithMappings(R"(["Ditto","Normalized","RawMessage","UpdateTwinWithLiveResponse","CloudEvents"])", "{}"));
  ExpectValid(WithMappings(R"(["status","js","itc"])",
                           R"({"status":{"mappingEngine":"ConnectionStatus","options":{"thingId":"{{ header:id }}"}},)"
                           R"("js":{"mappingEngine":"JavaScript","options":{"incomingScript":"function(){}"}},)"
                           R"("itc":{"mappingEngine":"ImplicitThingCreation","options":{"thing":{"thingId":"org.x:y"}}}})"));
}

TEST(PayloadMappingsTest, UnknownReference) {
  ExpectError(WithMappings(R"(["invalid"])",
                           R"({"status":{"mappingEngine":"ConnectionStatus","options":{"thingId":"{{ header:device_id }}"}}})"),
              kConfigInvalid, "The mapper <invalid> could not be loaded.",
              "Make sure to only use either the specified mappingDefinitions names [status] or " + std::string(kFallback));
  // Mappers that need configuration are no fallbacks.
  ExpectError(WithMappings(R"(["JavaScript"])", "{}"), kConfigInvalid, "The mapper <JavaScript> could not be loaded.",
              "Make sure to only use either the specified mappingDefinitions names [] or " + std::string(kFallback));
}

TEST(PayloadMappingsTest, DefinitionsThatCannotBeConfiguredAreLeftOut) {
  for (std::string_view definition :
       {R"({"mappingEngine":"ConnectionStatus","options":{}})",
        R"({"mappingEngine":"ConnectionStatus","options":{"thingId":"no-namespace-colon"}})",
        R"({"mappingEngine":"ImplicitThingCreation","options":{"thing":{}}})",
        R"({"mappingEngine":"NoSuchEngine","options":{}})"}) {
    ExpectError(WithMappings(R"(["m"])", R"({"m":)" + std::string(definition) + "}"), kConfigInvalid,
                "The mapper <m> could not be loaded.");
  }
  ExpectValid(WithMappings(R"(["m"])", R"({"m":{"mappingEngine":"ConnectionStatus","options":{"thingId":"org.x:y"}}})"));
}

TEST(PayloadMappingsTest, JavaScriptSizeLimit) {
  ValidationConfig config;
  config.javascript_script_bytes_max = 10;
  const std::string json =
      WithMappings(R"(["js"])", R"({"js":{"mappingEngine":"JavaScript","options":{"incomingScript":"12345678901"}}})");
  ExpectError(json, kConfigInvalid,
              "The message mapper configuration failed due to: The script size was bigger than the allowed <10> "
              "bytes: incoming script size was <11> bytes, outgoing script size was <0> bytes",
              "Check the configuration options of your mapper for errors.", config);
  ExpectValid(json);  // 50000 by default
}

TEST(PayloadMappingsTest, AtMostTenMappingsPerSourceAndTarget) {
  std::string ten = "[";
  for (int i = 0; i < 10; ++i) ten += std::string(i > 0 ? "," : "") + "\"Ditto\"";
  ten += "]";
  std::string eleven = ten.substr(0, ten.size() - 1) + ",\"Ditto\"]";
  // payloadMapping is a list, not a set: the same id may repeat.
  ExpectValid(WithMappings(ten, "{}"));
  ExpectError(WithMappings(eleven, "{}"), kConfigInvalid, "The number of configured payload mappings exceeded the limit.",
              "The number of configured payload mappings for the source with address in is above the limit of 10.");
  std::string json = WithMember(BaseConnectionOfType("amqp-10"), "targets/0/payloadMapping", eleven);
  ExpectError(json, kConfigInvalid, "The number of configured payload mappings exceeded the limit.",
              "The number of configured payload mappings for the target with address out is above the limit of 10.");
  ValidationConfig config;
  config.target_mappers_max = 11;
  ExpectValid(json, config);
}

}  // namespace
}  // namespace connectivity::model
