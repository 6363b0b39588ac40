// Fuzz target `topics`: the topics of targets and of MQTT sources and targets a client sends in
// a connection: Ditto's filtered topics (src/model/topic.cc: `<topic>?namespaces=..&filter=..
// &extraFields=..`, URL-decoded, with the field selector of extraFields) and HiveMQ's MQTT topic
// and topic filter rules (src/model/mqtt_topic.cc).
//
// Input: bytes taken as one topic.
// Properties, beyond "no crash, no sanitizer report":
//   - a filtered topic that fails is a 400 error; errors and MQTT problems of UTF-8 input are UTF-8;
//   - its canonical form parses back to the same topic, and is its own canonical form. An empty
//     `filter=` is the exception, as in Ditto: it parses as a filter (which validation rejects as
//     RQL) and the canonical form leaves it out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "src/model/protocol_validation.h"
#include "src/model/topic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view text = fuzz::AsText(data, size);
  model::ParseTopicName(text);
  auto topic = model::ParseFilteredTopic(text);
  if (auto* error = std::get_if<model::DittoError>(&topic)) {
    fuzz::ExpectClientError(*error, "a filtered topic failure is a 4xx");
    if (fuzz::IsUtf8(text)) fuzz::ExpectUtf8(error->ToJson(), "the error of a UTF-8 topic is UTF-8");
  } else {
    model::FilteredTopic& parsed = std::get<model::FilteredTopic>(topic);
    if (parsed.filter && parsed.filter->empty()) parsed.filter.reset();
    const std::string canonical = model::FilteredTopicToString(parsed);
    auto again = model::ParseFilteredTopic(canonical);
    const auto* reparsed = std::get_if<model::FilteredTopic>(&again);
    fuzz::Expect(reparsed != nullptr && *reparsed == parsed,
                 "the canonical form of a filtered topic parses to the same topic", canonical);
    fuzz::Expect(model::FilteredTopicToString(*reparsed) == canonical,
                 "the canonical form is its own canonical form", canonical);
  }
  const std::optional<std::string> filter_problem = model::MqttTopicFilterProblem(text);
  const std::optional<std::string> name_problem = model::MqttTopicNameProblem(text, "topic");
  if (fuzz::IsUtf8(text)) {
    if (filter_problem) fuzz::ExpectUtf8(*filter_problem, "an MQTT problem of a UTF-8 topic is UTF-8");
    if (name_problem) fuzz::ExpectUtf8(*name_problem, "an MQTT problem of a UTF-8 topic is UTF-8");
  }
  return 0;
}
