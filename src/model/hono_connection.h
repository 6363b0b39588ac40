// Hono connections resolved into the Kafka connection Ditto builds from its Hono settings
// (eclipse-ditto/ditto connectivity/service/.../messaging/hono/HonoConnectionFactory.java with
// DefaultHonoConnectionFactory.java; REF row 17, retrieveResolvedHonoConnection):
//
//   uri             the base URI with the Hono credentials as user info, URL-encoded
//                   (tcp://localhost:9092 -> tcp://honoUsername:honoPassword@localhost:9092)
//   validateCertificates, ca   from the settings (a blank ca removes the connection's)
//   specificConfig  the connection's, plus saslMechanism ("plain", "scram-sha-256",
//                   "scram-sha-512"), bootstrapServers (the settings' list, trimmed) and groupId
//                   (specificConfig.groupId, else the connection id)
//   sources         aliases telemetry, event, command_response -> hono.<alias>.<tenant>; a source
//                   with telemetry or event keeps its reply target (address resolved as a
//                   target, correlation-id mapped; for `command` also device_id and subject),
//                   others lose it; command_response sources map correlation-id and status
//   targets         an alias -> hono.<alias>.<tenant>/{{thing:id}}; header mapping device_id,
//                   correlation-id, subject, and response-required for live messages/commands
//
// The tenant is specificConfig.honoTenantId, else the connection id. Header mappings only gain
// entries that are missing. Pure functions; thread-safe.
#ifndef CONNECTIVITY_MODEL_HONO_CONNECTION_H_
#define CONNECTIVITY_MODEL_HONO_CONNECTION_H_

#include <optional>
#include <string>
#include <string_view>

#include "src/model/connection.h"

namespace connectivity::model {

// Ditto's ditto.connectivity.hono settings (connectivity.conf), with its defaults; the daemon
// reads them from HONO_CONNECTION_URI, ..._BOOTSTRAP_SERVERS, ..._SASL_MECHANISM,
// ..._HONO_USERNAME, ..._HONO_PASSWORD, ..._VALIDATE_CERTIFICATE and ..._CA.
struct HonoSettings {
  std::string base_uri = "tcp://localhost:9092";
  bool validate_certificates = false;
  std::string ca;
  std::string sasl_mechanism = "PLAIN";  // the enum name: PLAIN, SCRAM_SHA_256, SCRAM_SHA_512
  std::string bootstrap_servers = "localhost:9092";
  std::string username = "honoUsername";
  std::string password = "honoPassword";
};

// The enum name of a SASL mechanism setting ("PLAIN", "SCRAM_SHA_256", "SCRAM_SHA_512"; case
// does not matter), or nullopt.
std::optional<std::string> ParseHonoSaslMechanism(std::string_view text);

// `hono` resolved as above. REQUIRES: hono.connection_type == kHono.
Connection ResolveHonoConnection(const Connection& hono, const HonoSettings& settings);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_HONO_CONNECTION_H_
