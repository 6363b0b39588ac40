// The answers of Ditto 3.9's encryption migration commands (REF rows 18-20;
// Ditto's MigrateConnectionEncryption*Response#appendPayload, in its member
// order), from the service's views (src/service/encryption_migration.h):
//   {"type":"connectivity.responses:migrateEncryption","status":202,
//    "phase":"started","dryRun":false,"resumed":false,"startedAt":"..."}
//   {"type":"connectivity.responses:migrateEncryptionStatus","status":200,
//    "phase":"in_progress:journal","snapshots":{"processed":..,"skipped":..,"failed":..},
//    "journalEvents":{...},"progress":{"lastProcessedSnapshotId":"<connection id>",
//    "lastProcessedSnapshotPid":"connection:<id>","lastProcessedJournalId":"<sequence>",
//    "lastProcessedJournalPid":"connection:<id>"},"timing":{"startedAt":..,"updatedAt":..},
//    "dryRun":false,"migrationActive":true}
//   {"type":"connectivity.responses:migrateEncryptionAbort","status":200,
//    "phase":"aborted:snapshots","snapshots":{...},"journalEvents":{...},"abortedAt":"..."}
#ifndef CONNECTIVITY_HTTP_MIGRATION_JSON_H_
#define CONNECTIVITY_HTTP_MIGRATION_JSON_H_

#include <string>

#include "src/service/encryption_migration.h"

namespace connectivity::http {

std::string MigrationStartedJson(const service::MigrationStarted& started);
std::string MigrationStatusJson(const service::MigrationStatusView& status);
std::string MigrationAbortedJson(const service::MigrationAborted& aborted);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_MIGRATION_JSON_H_
