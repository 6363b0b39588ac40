// The journal-replay command line: parsing into an Invocation, and the help
// texts.
//
//   journal-replay --data-dir DIR COMMAND [options]
//   journal-replay --help | journal-replay help [COMMAND] | journal-replay COMMAND --help
//
// Options are `--name VALUE` or `--name=VALUE` and may come before or after
// the command. Each command accepts only its own options; anything else is
// a usage error naming the option (exit status 2). Numbers are decimal,
// times ISO-8601 (src/base/time_format.h), event types by their journal
// metrics name (connectionCreated), Ditto name
// (connectivity.events:connectionCreated) or short name (created).
#ifndef CONNECTIVITY_SRC_TOOLS_COMMAND_LINE_H_
#define CONNECTIVITY_SRC_TOOLS_COMMAND_LINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/crypto/connection_secrets.h"
#include "src/projector/connection_state.h"

namespace connectivity::tools {

enum class Command {
  kNone,  // only --help was given
  kStats,
  kDump,
  kState,
  kVerify,
  kExport,
  kImport,
  kRebuildSnapshots,
};

// The events per connection between historical snapshots when neither
// --threshold nor CONNECTION_SNAPSHOT_THRESHOLD says otherwise (the server's
// default, src/daemon/config.cc).
inline constexpr uint64_t kSnapshotThresholdDefault = 25;

struct Invocation {
  Command command = Command::kNone;
  bool help = false;
  std::string data_dir;
  // --journal etcd://...: the cluster's etcd journal (--data-dir optional).
  std::string journal_uri;
  bool json = false;

  // dump and state
  std::optional<std::string> connection;
  // dump: inclusive revision and time ranges; event types (empty: all).
  std::optional<uint64_t> from_revision;
  std::optional<uint64_t> to_revision;
  std::optional<int64_t> since_us;
  std::optional<int64_t> until_us;
  std::vector<projector::EventType> types;
  // state: at a revision of --connection, or at a time (inclusive).
  std::optional<uint64_t> at_revision;
  std::optional<int64_t> at_us;
  // state (hidden): also time a plain RocksDB scan of the events, for the
  // replay speed figure.
  bool benchmark_plain_scan = false;

  // export: file to write (empty: stdout); import: file to read (empty: stdin).
  std::string output_path;
  std::string input_path;

  // rebuild-snapshots (and import): revisions between historical snapshots.
  uint64_t snapshot_threshold = kSnapshotThresholdDefault;

  // The encryption settings of the environment (src/tools/secrets.h); null:
  // none (no key). Use SecretsOf().
  std::shared_ptr<const crypto::ConnectionSecrets> secrets;
};

// The invocation's secrets, or none.
const crypto::ConnectionSecrets& SecretsOf(const Invocation& invocation);

// Parses argv[1..argc). kInvalidArgument with a one-line message naming the
// offending word on any usage error. `environment_threshold` is
// $CONNECTION_SNAPSHOT_THRESHOLD (null if unset), the default of --threshold.
Result<Invocation> ParseCommandLine(const std::vector<std::string_view>& args,
                                    const char* environment_threshold);

// The name a command is typed as ("rebuild-snapshots").
std::string_view CommandName(Command command);
// The overview (every command) and one command's help, with its options.
std::string Usage();
std::string CommandUsage(Command command);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_COMMAND_LINE_H_
