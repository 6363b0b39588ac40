// Fuzz target `connection`: the connection JSON a client sends with a create, modify or test
// (src/model/connection_parse*.cc, json_tree, json_reader, legacy_migration), the service-level
// validation of a parsed connection (validation.cc and every validator it calls), and the
// serialisation (connection_serialize.cc), and for hono connections the resolution into the Kafka
// connection of retrieveResolvedHonoConnection (hono_connection.cc).
//
// Input: bytes taken as a connection object, parsed twice, as both callers parse it: the
// piggyback commands (id and connectionStatus required) and POST /api/2/connections (no id, a
// default status).
//
// Properties, beyond "no crash, no sanitizer report":
//   - a parse or a validation that fails gives a 4xx DittoError, in UTF-8 (for UTF-8 input);
//   - round trip: parsing the serialisation of a parsed connection gives the same model, and
//     serialising that gives the same text. Set aside: Source::index (it counts non-object
//     entries of `sources`, which are skipped and so not serialised) and an empty topic `filter=`
//     (validation rejects it as RQL; the canonical topic leaves it out, as Ditto's does).
//   - a hono connection that validates resolves (with the default Hono settings) into the
//     connection retrieveResolvedHonoConnection answers, and that parses. Not a round trip: a
//     source that loses its reply target (command_response) gains the default one when parsed
//     again (legacy_migration.cc), so parse(resolved) != resolved.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "src/model/connection.h"
#include "src/model/hono_connection.h"
#include "src/model/validation.h"

namespace connectivity::fuzz {
namespace {

// What the HTTP layer does to a connection posted without an id.
constexpr std::string_view kAssignedId = "fuzz-connection";

// What a round trip may change (see the header).
void Normalise(model::Connection& connection) {
  for (size_t i = 0; i < connection.sources.size(); ++i) {
    connection.sources[i].index = static_cast<int32_t>(i);
  }
  for (model::Target& target : connection.targets) {
    for (model::FilteredTopic& topic : target.topics) {
      if (topic.filter && topic.filter->empty()) topic.filter.reset();
    }
  }
}

void CheckRoundTrip(model::Connection connection) {
  if (connection.id.empty()) connection.id = kAssignedId;
  const std::string text = model::SerializeConnection(connection);
  auto reparsed = model::ParseConnection(text, model::ParseOptions{});
  if (auto* error = std::get_if<model::DittoError>(&reparsed)) {
    PropertyFailed("a serialised connection parses", text + "\n" + error->ToJson());
  }
  model::Connection again = std::get<model::Connection>(std::move(reparsed));
  Normalise(connection);
  Normalise(again);
  const std::string text_again = model::SerializeConnection(again);
  Expect(text_again == text, "serialise(parse(serialise(c))) == serialise(c)",
         text + "\n" + text_again);
  Expect(again == connection, "parse(serialise(c)) == c", text);
}

void FuzzOne(std::string_view json, const model::ParseOptions& options) {
  static const model::ValidationConfig kValidation;
  auto parsed = model::ParseConnection(json, options);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) {
    ExpectClientError(*error, "ParseConnection fails with a 4xx");
    if (IsUtf8(json)) ExpectUtf8(error->ToJson(), "an error is UTF-8");
    return;
  }
  const model::Connection& connection = std::get<model::Connection>(parsed);
  std::optional<model::DittoError> error = model::ValidateConnection(connection, kValidation);
  if (error) {
    ExpectClientError(*error, "ValidateConnection fails with a 4xx");
    ExpectUtf8(error->ToJson(), "an error is UTF-8");
  }
  CheckRoundTrip(connection);
  if (!error && connection.connection_type == model::ConnectionType::kHono) {
    static const model::HonoSettings kHono;
    // Only stored connections are resolved, and they have an id: a REST create's connection gets
    // one from the HTTP layer first (regression-hono-without-id).
    model::Connection stored = connection;
    if (stored.id.empty()) stored.id = kAssignedId;
    const std::string text = model::SerializeConnection(model::ResolveHonoConnection(stored, kHono));
    auto reparsed = model::ParseConnection(text, model::ParseOptions{});
    if (auto* failure = std::get_if<model::DittoError>(&reparsed)) {
      PropertyFailed("a resolved hono connection parses", text + "\n" + failure->ToJson());
    }
  }
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view json = fuzz::AsText(data, size);
  fuzz::FuzzOne(json, model::ParseOptions{});
  model::ParseOptions post;
  post.id_required = false;
  post.default_connection_status = "unknown";
  fuzz::FuzzOne(json, post);
  return 0;
}
