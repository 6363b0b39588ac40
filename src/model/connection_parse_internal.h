// Pieces of ParseConnection shared between its source files. Internal to the model library.
//
// Each Parse* function reads one JSON object in the order Ditto's corresponding fromJson reads
// its fields and returns the first error.
#ifndef CONNECTIVITY_MODEL_CONNECTION_PARSE_INTERNAL_H_
#define CONNECTIVITY_MODEL_CONNECTION_PARSE_INTERNAL_H_

#include <string>
#include <utility>
#include <vector>

#include "src/model/connection.h"
#include "src/model/json_reader.h"
#include "src/model/json_tree.h"

namespace connectivity::model {

// connection_parse_endpoints.cc: sources and targets (REF §3.4, §3.5).
MaybeError ParseSources(const JsonReader& connection, std::vector<Source>& out);
MaybeError ParseTargets(const JsonReader& connection, std::vector<Target>& out);
// Ditto's AcknowledgementLabel.of: `({{ x:y }}:)?[a-zA-Z0-9-_:]{3,165}`.
bool IsValidAcknowledgementLabel(std::string_view label);

// connection_parse_extras.cc: REF §3.6-3.8.
MaybeError ParseMappingDefinition(const JsonReader& reader, MappingDefinition& out);
MaybeError ParseMappingDefinitions(const JsonReader& connection,
                                   std::vector<std::pair<std::string, MappingDefinition>>& out);
MaybeError ParseCredentials(const JsonReader& reader, Credentials& out);
MaybeError ParseSshTunnel(const JsonReader& reader, SshTunnel& out);

// legacy_migration.cc: REF §6.3, applied to the JSON tree before the model is read.
void MigrateLegacyFields(JsonNode& connection);
// legacy_migration.cc: REF §3.4 default reply targets and the `mappingContext` conversion, applied
// to the parsed model (Ditto's AbstractConnectionBuilder#migrateLegacyConfigurationOnTheFly).
void MigrateParsedConnection(std::optional<MappingDefinition> mapping_context,
                             Connection& connection);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_CONNECTION_PARSE_INTERNAL_H_
