// The piggyback request parsed (stages 1-4 of piggyback.h's order of checks) into a plain
// command, before anything is executed: addressing, the envelope, the command and its members,
// the targetActorSelection. piggyback.cc executes the result against the service.
//
// Kept apart from the execution so that it depends on nothing but the model: the fuzz target
// fuzz/piggyback_fuzzer.cc and tests link it without the service, journal or Pistache.
//
// Pure functions; the JSON is read with this thread's simdjson parser (json_input.h).
#ifndef CONNECTIVITY_HTTP_PIGGYBACK_COMMAND_H_
#define CONNECTIVITY_HTTP_PIGGYBACK_COMMAND_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "src/http/http_types.h"
#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/field_selector.h"

namespace connectivity::http {

struct PiggybackConfig {
  std::string instance = "0";
  // --piggyback-compat ditto2: nest every answer, even with aggregate=false.
  bool ditto2_compat = false;
};

// The actor a command is addressed to (targetActorSelection, with or without "/singleton").
enum class PiggybackSelection { kConnectionShard, kIdsRetrieval, kEncryptionMigration };

// The command families, each executed in its own way.
enum class PiggybackCommandKind {
  kCreate,
  kModify,
  kRetrieve,
  kDelete,
  kOpen,
  kClose,
  kRetrieveAllIds,
  kTest,
  kMonitoring,  // status, metrics, logs and their resets (told apart by `type`)
  kRetrieveTags,
  kRetrieveIdsByTag,
  kRetrieveResolvedHono,  // retrieveResolvedHonoConnection
  kMigrateEncryption,     // migrateEncryption (dryRun, resume)
  kMigrateEncryptionStatus,
  kMigrateEncryptionAbort,
};

// retrieveConnection at-historical-revision / at-historical-timestamp.
struct HistoricalQuery {
  std::optional<uint64_t> revision;
  int64_t timestamp_us = 0;  // when no revision
};

// One parsed command, ready to execute.
struct PiggybackCommand {
  PiggybackCommandKind kind = PiggybackCommandKind::kRetrieveAllIds;
  std::string type;                         // e.g. "connectivity.commands:createConnection"
  std::string connection_id;                // commands on one connection (valid id)
  std::optional<model::Connection> connection;  // create, modify, test
  std::optional<model::FieldSelector> selector;  // retrieve, resolved hono: selectedFields
  std::optional<HistoricalQuery> at;             // retrieve at a revision or a time
  std::string tag;                               // retrieve ids by tag
  bool dry_run = false;                          // migrateEncryption
  bool resume = false;                           // migrateEncryption
};

// A request past stage 2: its headers and either the command or the error answered as a
// devops.responses:errorResponse (stages 3 and 4).
struct PiggybackRequest {
  // Lower-case names: the query parameters the gateway turns into headers, then the envelope's
  // `headers` (values that are not strings stringified, as Ditto does).
  std::map<std::string, std::string> headers;
  // Answers are nested as {"connectivity":{"<instance>":...}}.
  bool nest = true;
  // response-required=false: answered 202 with no body.
  bool response_required = true;
  std::variant<PiggybackCommand, model::DittoError> command;

  std::optional<std::string> Header(const std::string& name) const;
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  bool BoolHeader(const std::string& name, bool absent) const;
};

// Stages 1 and 2 answer at once (a 408 `null` for another addressee, a 4xx error JSON for a bad
// envelope): that answer. Otherwise the parsed request.
std::variant<PiggybackRequest, HttpAnswer> ParsePiggybackRequest(
    const HttpRequest& request, const std::optional<std::string>& path_service,
    const std::optional<std::string>& path_instance, const PiggybackConfig& config);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_PIGGYBACK_COMMAND_H_
