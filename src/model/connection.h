// The connection model (REF §3): typed structs, parsing with every model-level check of REF §4.1,
// and serialisation in Ditto's retrieve shape.
//
// Parsing follows Ditto's builder: it asks for fields in the order Ditto's
// ImmutableConnection/AbstractConnection#buildFromJson does and reports the first problem, with
// Ditto's codes and messages. Where REF §4.1 orders checks differently from that code, REF wins:
// an invalid URI is reported as soon as `uri` is read (before sources and targets), and the
// positivity of clientCount/processorPoolSize last (SPEC §4.3 answers it with 400
// connection.configuration.invalid instead of Ditto's 500).
//
// After the checks the legacy migrations are applied (REF §3.4 default reply targets,
// `mappingContext`, and REF §6.3: connection-level `authorizationContext`, source `filters`,
// `topic:action|subject`), so a parsed Connection is always in its current, canonical form and
// SerializeConnection(ParseConnection(x)) is what Ditto returns on retrieve.
//
// All functions are pure and thread-compatible; ParseConnection uses a thread-local parser.
#ifndef CONNECTIVITY_MODEL_CONNECTION_H_
#define CONNECTIVITY_MODEL_CONNECTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "src/model/errors.h"
#include "src/model/json_tree.h"

namespace connectivity::model {

enum class ConnectionType : uint8_t { kAmqp091, kAmqp10, kMqtt, kMqtt5, kKafka, kHttpPush, kHono };

// "amqp-091", "amqp-10", "mqtt", "mqtt-5", "kafka", "http-push", "hono".
std::string_view ConnectionTypeName(ConnectionType type);
std::optional<ConnectionType> ParseConnectionType(std::string_view name);
// The desired statuses the parser accepts: "open", "closed", "failed", "misconfigured", "unknown".
bool IsValidConnectionStatus(std::string_view status);

// A JSON object of string values that keeps insertion order (Ditto backs these by hash maps, so
// its order is arbitrary; ours is the input order, which reads best and is stable).
using StringMap = std::vector<std::pair<std::string, std::string>>;

// Returns the value of `key`, or nullptr.
const std::string* FindInStringMap(const StringMap& map, std::string_view key);
// Replaces the value of `key` in place, or appends it.
void SetInStringMap(StringMap& map, std::string_view key, std::string value);

struct Enforcement {
  std::string input;
  std::vector<std::string> filters;  // a set: duplicates removed, order kept

  friend bool operator==(const Enforcement&, const Enforcement&) = default;
};

struct AcknowledgementRequests {
  std::vector<std::string> includes;  // ack labels; a set
  std::optional<std::string> filter;

  friend bool operator==(const AcknowledgementRequests&, const AcknowledgementRequests&) = default;
};

enum class ResponseType : uint8_t { kResponse, kError, kNack };
std::string_view ResponseTypeName(ResponseType type);

struct ReplyTarget {
  std::string address;
  StringMap header_mapping;
  // A set; default {response, error}; unknown names are dropped by the parser.
  std::vector<ResponseType> expected_response_types = {ResponseType::kResponse,
                                                       ResponseType::kError};

  friend bool operator==(const ReplyTarget&, const ReplyTarget&) = default;
};

struct Source {
  std::vector<std::string> addresses;  // a set: duplicates removed, order kept
  int32_t consumer_count = 1;
  std::optional<int32_t> qos;
  std::vector<std::string> authorization_context;
  std::optional<Enforcement> enforcement;
  std::optional<AcknowledgementRequests> acknowledgement_requests;
  StringMap header_mapping;
  std::vector<std::string> payload_mapping;
  std::optional<ReplyTarget> reply_target;
  bool reply_target_enabled = true;
  std::vector<std::string> declared_acks;  // a set
  // Position in the input `sources` array (non-objects there are skipped but counted). Used in
  // Ditto's messages ("Source 0 of connection <x>"); not serialised.
  int32_t index = 0;

  friend bool operator==(const Source&, const Source&) = default;
};

enum class Topic : uint8_t {
  kTwinEvents,
  kLiveMessages,
  kLiveEvents,
  kLiveCommands,
  kPolicyAnnouncements,
  kConnectionAnnouncements,
};
std::string_view TopicName(Topic topic);  // e.g. "_/_/things/twin/events"

// A target topic with its optional parameters (REF §3.5). Values are URL-decoded.
struct FilteredTopic {
  Topic topic = Topic::kTwinEvents;
  std::vector<std::string> namespaces;
  std::optional<std::string> filter;        // RQL, kept as given (validated by the service)
  std::optional<std::string> extra_fields;  // a Thing field selector

  friend bool operator==(const FilteredTopic&, const FilteredTopic&) = default;
};

struct Target {
  std::string address;
  std::vector<FilteredTopic> topics;  // a set
  std::optional<int32_t> qos;
  std::vector<std::string> authorization_context;
  std::optional<std::string> issued_acknowledgement_label;
  StringMap header_mapping;
  std::vector<std::string> payload_mapping;

  friend bool operator==(const Target&, const Target&) = default;
};

struct MappingDefinition {
  std::string mapping_engine;
  std::string options_json;  // the `options` object, compact JSON, members as given
  StringMap incoming_conditions;  // values coerced to strings
  StringMap outgoing_conditions;

  friend bool operator==(const MappingDefinition&, const MappingDefinition&) = default;
};

// Credentials by `type` (REF §3.7). Returned unmasked, as Ditto does.
struct ClientCertificateCredentials {  // "client-cert"
  std::optional<std::string> cert;
  std::optional<std::string> key;

  friend bool operator==(const ClientCertificateCredentials&,
                         const ClientCertificateCredentials&) = default;
};
struct UserPasswordCredentials {  // "plain"
  std::string username;
  std::string password;

  friend bool operator==(const UserPasswordCredentials&, const UserPasswordCredentials&) = default;
};
struct SshPublicKeyCredentials {  // "public-key"
  std::string username;
  std::string public_key;
  std::string private_key;

  friend bool operator==(const SshPublicKeyCredentials&, const SshPublicKeyCredentials&) = default;
};
struct HmacCredentials {  // "hmac"
  std::string algorithm;
  std::string parameters_json;  // compact JSON object

  friend bool operator==(const HmacCredentials&, const HmacCredentials&) = default;
};
struct OAuthClientCredentials {  // "oauth-client-credentials"
  std::string token_endpoint;
  std::string client_id;
  std::string client_secret;
  std::string requested_scopes;
  std::optional<std::string> audience;  // Ditto writes `"audience":null` when absent

  friend bool operator==(const OAuthClientCredentials&, const OAuthClientCredentials&) = default;
};
struct OAuthPasswordCredentials {  // "oauth-password"
  std::string token_endpoint;
  std::string client_id;
  std::optional<std::string> client_secret;
  std::string requested_scopes;
  std::optional<std::string> audience;
  std::string username;
  std::string password;

  friend bool operator==(const OAuthPasswordCredentials&,
                         const OAuthPasswordCredentials&) = default;
};
using Credentials =
    std::variant<ClientCertificateCredentials, UserPasswordCredentials, SshPublicKeyCredentials,
                 HmacCredentials, OAuthClientCredentials, OAuthPasswordCredentials>;
// The `type` discriminator of the credentials, e.g. "client-cert".
std::string_view CredentialsTypeName(const Credentials& credentials);

struct SshTunnel {
  bool enabled = false;
  Credentials credentials;  // "plain" or "public-key" in practice (checked by the service)
  bool validate_host = false;
  std::vector<std::string> known_hosts;
  std::string uri;  // not validated by the model

  friend bool operator==(const SshTunnel&, const SshTunnel&) = default;
};

struct Connection {
  std::string id;
  std::optional<std::string> name;  // serialised as `"name":null` when absent
  ConnectionType connection_type = ConnectionType::kAmqp091;
  // Desired status: "open", "closed", "failed", "misconfigured" or "unknown".
  std::string connection_status;
  std::string uri;  // ASCII form; "" if blank (or absent for hono)
  std::vector<Source> sources;
  std::vector<Target> targets;
  int64_t client_count = 1;
  bool failover_enabled = true;
  bool validate_certificates = true;
  int64_t processor_pool_size = 1;
  StringMap specific_config;  // every value a string
  std::vector<std::pair<std::string, MappingDefinition>> mapping_definitions;
  std::optional<Credentials> credentials;
  std::optional<std::string> ca;  // never blank
  std::optional<SshTunnel> ssh_tunnel;
  std::vector<std::string> tags;  // a set

  friend bool operator==(const Connection&, const Connection&) = default;
};

struct ParseOptions {
  // Piggyback commands carry the id: true. The HTTP API sets the id itself: false (an id that is
  // present is still checked; an absent one leaves Connection::id empty).
  bool id_required = true;
  // HTTP POST: "unknown". Otherwise (nullopt) `connectionStatus` is required.
  std::optional<std::string> default_connection_status;
  // Apply the legacy migrations of REF §6.3 (Ditto applies them when reading its journal; this
  // service applies them to every input, which only ever accepts more).
  bool migrate_legacy_fields = true;
};

// Parses a connection object (JSON text, not necessarily padded) and applies every model-level
// check of REF §4.1, in Ditto's order, with Ditto's codes and messages; plus SPEC §4.3's
// deliberate differences (clientCount <= 0 / processorPoolSize <= 0 -> 400
// connectivity:connection.configuration.invalid). Never throws; every failure is a 4xx.
std::variant<Connection, DittoError> ParseConnection(std::string_view json,
                                                     const ParseOptions& options);

// The same for a connection object nested in a larger document (e.g. the piggyback command's
// `connection` member): parse the whole document once with ParseJsonTree, move the member's
// subtree here. Cheaper than re-serialising the member and parsing it again.
std::variant<Connection, DittoError> ParseConnectionTree(JsonNode connection,
                                                         const ParseOptions& options);
// The same with the tree's U+0000 finding already made (JsonTreeFromDom): no second walk.
std::variant<Connection, DittoError> ParseConnectionTree(ParsedJson parsed,
                                                         const ParseOptions& options);

// Ditto's retrieve shape (hidden fields omitted), compact, fields in REF §3.1 emission order.
// The text always starts with `{"id":`, then `,"name":`, `,"connectionType":"`,
// `,"connectionStatus":"`, and `"tags":[...]` is always its last member (the projector splices
// hidden fields into it without parsing).
std::string SerializeConnection(const Connection& connection);
void AppendSerializedConnection(std::string& out, const Connection& connection);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_CONNECTION_H_
