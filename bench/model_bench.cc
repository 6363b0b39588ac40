// Benchmarks of the connection model (src/model), the CPU work of every create/modify/test.
//
// Workloads (each on a small and a large connection):
//   small  ~1 KiB: one MQTT-5 source and one target, a few header mappings, specificConfig.
//   large  ~64 KiB: four amqp-10 sources and four targets with 85 header mappings each, filtered
//          topics, and two JavaScript mapping definitions carrying incoming/outgoing scripts.
//   BM_ParseValidateSerialize  ParseConnection + ValidateConnection + SerializeConnection: what
//                              the service does for a create (bytes = input JSON).
//   BM_ValidateConnection      ValidateConnection alone: every service-level rule of REF §4.2
//                              (placeholders of every header mapping, RQL filters, mapping
//                              references, ...), default configuration (no host rules, no DNS).
//   BM_ParseConnection         ParseConnection alone (JSON tree, checks, migrations).
//   BM_SerializeConnection     SerializeConnection alone (bytes = output JSON).
//   BM_FieldSelectorApply      `?fields=id,connectionStatus,sources` on the serialised form.
// All inputs are built once, outside the timed loops. Needs only the `model` library.
#include <benchmark/benchmark.h>

#include <string>

#include "src/model/connection.h"
#include "src/model/field_selector.h"
#include "src/model/validation.h"

namespace connectivity::model {
namespace {

enum Size : int64_t { kSmall = 0, kLarge = 1 };

std::string HeaderMapping(int entries) {
  std::string mapping = "{";
  for (int i = 0; i < entries; ++i) {
    if (i > 0) mapping += ",";
    mapping += "\"x-header-" + std::to_string(i) + "\":\"{{ header:source-header-" +
               std::to_string(i) + " | fn:default('none') }}\"";
  }
  return mapping + "}";
}

// A JavaScript mapping function of about `bytes` bytes, escaped for a JSON string.
std::string Script(size_t bytes) {
  std::string script = "function mapToDittoProtocolMsg(headers, textPayload, bytePayload) {\\n";
  int line = 0;
  while (script.size() < bytes) {
    script += "  let value" + std::to_string(line) + " = JSON.parse(textPayload)[\\\"field" +
              std::to_string(line) + "\\\"] || 0;\\n";
    ++line;
  }
  return script + "  return null;\\n}";
}

std::string SmallConnection() {
  return R"j({"id":"bench-small","name":"small","connectionType":"mqtt-5","connectionStatus":"open",)j"
         R"j("uri":"tcp://user:password@127.0.0.1:1883","specificConfig":{"clientId":"bench",)j"
         R"j("keepAlive":"60s","cleanSession":false},"sources":[{"addresses":["devices/+/telemetry"],)j"
         R"j("qos":1,"authorizationContext":["ditto:inbound"],"enforcement":{"input":)j"
         R"j("{{ header:device_id }}","filters":["{{ thing:id }}"]},"headerMapping":)j" +
         HeaderMapping(4) +
         R"j(}],"targets":[{"address":"out/{{ thing:id }}","qos":0,"topics":)j"
         R"j(["_/_/things/twin/events?namespaces=org.example&filter=gt(attributes/counter,42)",)j"
         R"j("_/_/things/live/messages"],"authorizationContext":["ditto:outbound"],"headerMapping":)j" +
         HeaderMapping(4) + R"j(}],"tags":["bench","small"]})j";
}

std::string LargeConnection() {
  std::string sources = "[";
  std::string targets = "[";
  for (int i = 0; i < 4; ++i) {
    const std::string n = std::to_string(i);
    if (i > 0) {
      sources += ",";
      targets += ",";
    }
    sources += R"j({"addresses":["telemetry/tenant-)j" + n + R"j(","event/tenant-)j" + n +
               R"j("],"consumerCount":2,"authorizationContext":["ditto:inbound-)j" + n +
               R"j("],"payloadMapping":["js-in","Ditto"],"headerMapping":)j" + HeaderMapping(85) + "}";
    targets += R"j({"address":"topic://out-)j" + n +
               R"j(","topics":["_/_/things/twin/events?namespaces=org.example&extraFields=attributes",)j"
               R"j("_/_/things/live/messages?filter=eq(attributes/kind,'bench')"],)j"
               R"j("authorizationContext":["ditto:outbound"],"payloadMapping":["js-out"],)j"
               R"j("headerMapping":)j" + HeaderMapping(85) + "}";
  }
  const std::string definition = R"j({"mappingEngine":"JavaScript","options":{"incomingScript":")j" +
                                 Script(6000) + R"j(","outgoingScript":")j" + Script(2500) +
                                 R"j(","loadBytebufferJS":"false"},"incomingConditions":)j"
                                 R"j({"c":"fn:filter(header:type,'eq','x')"}})j";
  return R"j({"id":"bench-large","name":"large","connectionType":"amqp-10","connectionStatus":)j"
         R"j("closed","uri":"amqps://user:password@127.0.0.1:5671","sources":)j" + sources +
         "],\"targets\":" + targets + R"j(],"mappingDefinitions":{"js-in":)j" + definition +
         R"j(,"js-out":)j" + definition + R"j(},"tags":["bench","large"]})j";
}

const std::string& Input(int64_t size) {
  static const std::string small = SmallConnection();
  static const std::string large = LargeConnection();
  return size == kSmall ? small : large;
}

void SetLabel(benchmark::State& state, size_t bytes) {
  state.SetLabel((state.range(0) == kSmall ? "small " : "large ") + std::to_string(bytes) + "B");
}

void BM_ParseValidateSerialize(benchmark::State& state) {
  const std::string& json = Input(state.range(0));
  const ParseOptions options;
  const ValidationConfig config;
  for (auto _ : state) {
    auto parsed = ParseConnection(json, options);
    if (auto* error = std::get_if<DittoError>(&parsed)) {
      state.SkipWithError(error->message.c_str());
      break;
    }
    const Connection& connection = std::get<Connection>(parsed);
    if (auto error = ValidateConnection(connection, config)) {
      state.SkipWithError(error->message.c_str());
      break;
    }
    std::string out = SerializeConnection(connection);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  SetLabel(state, json.size());
}

void BM_ValidateConnection(benchmark::State& state) {
  const std::string& json = Input(state.range(0));
  auto parsed = ParseConnection(json, ParseOptions{});
  if (std::holds_alternative<DittoError>(parsed)) {
    state.SkipWithError(std::get<DittoError>(parsed).message.c_str());
    return;
  }
  const Connection& connection = std::get<Connection>(parsed);
  const ValidationConfig config;
  for (auto _ : state) {
    std::optional<DittoError> error = ValidateConnection(connection, config);
    if (error) {
      state.SkipWithError(error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(error);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  SetLabel(state, json.size());
}

void BM_ParseConnection(benchmark::State& state) {
  const std::string& json = Input(state.range(0));
  const ParseOptions options;
  for (auto _ : state) {
    auto parsed = ParseConnection(json, options);
    if (std::holds_alternative<DittoError>(parsed)) {
      state.SkipWithError(std::get<DittoError>(parsed).message.c_str());
      break;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  SetLabel(state, json.size());
}

void BM_SerializeConnection(benchmark::State& state) {
  auto parsed = ParseConnection(Input(state.range(0)), ParseOptions{});
  if (std::holds_alternative<DittoError>(parsed)) {
    state.SkipWithError(std::get<DittoError>(parsed).message.c_str());
    return;
  }
  const Connection& connection = std::get<Connection>(parsed);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = SerializeConnection(connection);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  SetLabel(state, bytes);
}

void BM_FieldSelectorApply(benchmark::State& state) {
  auto parsed = ParseConnection(Input(state.range(0)), ParseOptions{});
  auto selector = FieldSelector::Parse("id,connectionStatus,sources");
  if (std::holds_alternative<DittoError>(parsed) || std::holds_alternative<DittoError>(selector)) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::string json = SerializeConnection(std::get<Connection>(parsed));
  const FieldSelector& fields = std::get<FieldSelector>(selector);
  for (auto _ : state) {
    std::string out = fields.Apply(json);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  SetLabel(state, json.size());
}

BENCHMARK(BM_ParseValidateSerialize)->ArgName("size")->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_ValidateConnection)->ArgName("size")->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_ParseConnection)->ArgName("size")->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_SerializeConnection)->ArgName("size")->Arg(kSmall)->Arg(kLarge);
BENCHMARK(BM_FieldSelectorApply)->ArgName("size")->Arg(kSmall)->Arg(kLarge);

}  // namespace
}  // namespace connectivity::model
