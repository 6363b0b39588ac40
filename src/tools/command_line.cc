#include "src/tools/command_line.h"

#include <array>
#include <charconv>
#include <utility>

#include "src/base/time_format.h"
#include "src/tools/secrets.h"

namespace connectivity::tools {
namespace {

using projector::EventType;

constexpr uint32_t Bit(Command command) { return 1u << static_cast<uint32_t>(command); }
constexpr uint32_t kAllCommands =
    Bit(Command::kStats) | Bit(Command::kDump) | Bit(Command::kState) | Bit(Command::kVerify) |
    Bit(Command::kExport) | Bit(Command::kImport) | Bit(Command::kRebuildSnapshots);

struct CommandSpec {
  Command command;
  std::string_view name;
  std::string_view summary;
  std::string_view details;
};

constexpr std::array<CommandSpec, 7> kCommands = {{
    {Command::kStats, "stats",
     "events, connections, event types, revisions, times, sizes, snapshots",
     "Counts the journal's events (in all and by type), its connections (live and deleted),\n"
     "the revision range of the connections, the first and last event time, the size on\n"
     "disk, and the snapshots (state rows with their watermark, historical snapshots).\n"},
    {Command::kDump, "dump", "events as JSON lines in Ditto's event JSON, filtered",
     "Prints events in journal order (sequence), one Ditto event JSON a line (REF 6.1): type,\n"
     "_timestamp, _metadata, revision, connectionId and, for created/modified, the connection\n"
     "as stored (with __lifecycle, _revision, _modified, _created). Filters combine (AND);\n"
     "revision and time bounds are inclusive.\n"},
    {Command::kState, "state", "the state of every connection or one, now, at a revision or a time",
     "Replays the journal through the server's projector and prints each connection in the\n"
     "shape the server's retrieve answers (the stored connection JSON), one per line:\n"
     "  <id> revision <N> ACTIVE|DELETED <connection JSON>\n"
     "With --json: {\"id\":...,\"revision\":N,\"lifecycle\":\"ACTIVE\",\"connection\":{...}} a "
     "line.\n"
     "Default: the current state. --at TIME: every connection as it was after its last event\n"
     "at or before TIME (connections without one are left out). --at-revision N: the state of\n"
     "--connection after its event N.\n"},
    {Command::kVerify, "verify", "checksums, revisions, global order, snapshots = replay",
     "Reads every key of the journal and checks: every checksum; each connection's revisions\n"
     "contiguous from 1; the global order contiguous, its entries equal to their events and\n"
     "its times strictly increasing; every event accepted by the projector; every state row\n"
     "and historical snapshot equal to a replay from the start up to its revision, and the\n"
     "state rows current to their watermark. Prints each problem with its key.\n"
     "Exit status 1 if there is any problem, 0 if none.\n"},
    {Command::kExport, "export", "the whole journal as JSON lines (backup)",
     "Writes a header line and then every event in sequence order, one a line:\n"
     "  {\"format\":\"connectivity-journal-export\",\"version\":1,\"events\":N}\n"
     "  {\"sequence\":1,\"timestamp\":\"...\",\"connectionId\":\"...\",\"revision\":1,\n"
     "   \"type\":\"connectivity.events:connectionCreated\",\"connection\":{...as stored...}}\n"
     "export -> import -> export gives the same bytes.\n"},
    {Command::kImport, "import", "an export into an EMPTY data dir (restore)",
     "Appends every event of an export through the journal's writer with its original\n"
     "sequence, revision and timestamp (checked event by event), then writes the state rows\n"
     "and historical snapshots (as rebuild-snapshots), so a server started on the data dir\n"
     "recovers without a full replay. Refuses a data dir that exists and is not empty.\n"
     "The import fills a staging directory next to the data dir (syncs deferred, made\n"
     "durable at the end) and renames it into place: an interrupted import leaves no\n"
     "half-filled data dir. One event per batch keeps the original timestamps: about\n"
     "10,000 events/s.\n"},
    {Command::kRebuildSnapshots, "rebuild-snapshots", "rewrite every snapshot from the journal",
     "Deletes every state row and historical snapshot, replays the journal and writes a state\n"
     "row per connection (watermark: the last sequence) and a historical snapshot every\n"
     "--threshold revisions of each connection, as the server does. Opens the data dir for\n"
     "writing: the server must be stopped (a running server's dir is refused, exit status 2).\n"},
}};

struct OptionSpec {
  std::string_view name;
  std::string_view value_name;  // empty: a flag without a value
  uint32_t commands;
  std::string_view help;
  bool hidden = false;
};

constexpr std::array<OptionSpec, 17> kOptions = {{
    {"--data-dir", "DIR", kAllCommands, "the server's data directory (required unless --journal)"},
    {"--journal", "URI", Bit(Command::kStats) | Bit(Command::kDump) | Bit(Command::kState) | Bit(Command::kExport) |
                             Bit(Command::kImport),
     "etcd://HOST:PORT[,HOST:PORT...]: the journal of a cluster (SPEC §8)"},
    {"--json", "", kAllCommands, "machine-readable output (JSON)"},
    {"--help", "", kAllCommands, "this help"},
    {"--connection", "ID", Bit(Command::kDump) | Bit(Command::kState), "one connection only"},
    {"--from-revision", "N", Bit(Command::kDump), "events with revision >= N"},
    {"--to-revision", "N", Bit(Command::kDump), "events with revision <= N"},
    {"--since", "TIME", Bit(Command::kDump), "events at or after TIME (ISO-8601)"},
    {"--until", "TIME", Bit(Command::kDump), "events at or before TIME (ISO-8601)"},
    {"--type", "TYPE[,TYPE]", Bit(Command::kDump),
     "events of these types: created, modified, opened, closed, deleted"},
    {"--at-revision", "N", Bit(Command::kState), "the state after revision N (needs --connection)"},
    {"--at", "TIME", Bit(Command::kState), "the state at TIME (ISO-8601, inclusive)"},
    {"--benchmark-plain-scan", "", Bit(Command::kState), "", /*hidden=*/true},
    {"--output", "FILE", Bit(Command::kExport), "write to FILE instead of stdout"},
    {"--input", "FILE", Bit(Command::kImport), "read FILE instead of stdin"},
    {"--threshold", "N", Bit(Command::kRebuildSnapshots) | Bit(Command::kImport),
     "revisions between historical snapshots (default: $CONNECTION_SNAPSHOT_THRESHOLD or 25)"},
    {"-h", "", kAllCommands, "", /*hidden=*/true},
}};

}  // namespace

const crypto::ConnectionSecrets& SecretsOf(const Invocation& invocation) {
  return invocation.secrets ? *invocation.secrets : NoSecrets();
}

namespace {

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const CommandSpec& SpecOf(Command command) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.command == command) return spec;
  }
  return kCommands[0];  // unreachable for every Command but kNone
}

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Status UsageError(std::string message) { return Status::InvalidArgument(std::move(message)); }

Result<uint64_t> ParsePositive(std::string_view option, std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) {
    return UsageError(std::string(option) + ": '" + std::string(text) +
                      "' is not a positive whole number");
  }
  return value;
}

Result<int64_t> ParseTime(std::string_view option, std::string_view text) {
  const std::optional<int64_t> micros = ParseIsoMicros(text);
  if (!micros) {
    return UsageError(std::string(option) + ": '" + std::string(text) +
                      "' is not an ISO-8601 time such as 2026-11-26T12:00:00.123456Z");
  }
  return *micros;
}

std::optional<EventType> ParseEventType(std::string_view text) {
  for (uint8_t code = 1; code <= projector::kEventTypeCount; ++code) {
    const EventType type = static_cast<EventType>(code);
    const std::string_view name = projector::EventTypeName(type);  // connectionCreated
    std::string short_name(name.substr(std::string_view("connection").size()));
    short_name[0] = static_cast<char>(short_name[0] - 'A' + 'a');  // created
    if (text == name || text == projector::EventTypeDittoName(type) || text == short_name) {
      return type;
    }
  }
  return std::nullopt;
}

Status ParseTypes(std::string_view text, std::vector<EventType>* types) {
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    const std::optional<EventType> type = ParseEventType(word);
    if (!type) {
      return UsageError("--type: unknown event type '" + std::string(word) +
                        "' (created, modified, opened, closed, deleted)");
    }
    types->push_back(*type);
    if (comma == std::string_view::npos) return Status::Ok();
    text.remove_prefix(comma + 1);
  }
}

// Stores one option's value in the invocation.
Status ApplyOption(std::string_view name, std::string_view value, Invocation* invocation) {
  auto positive = [&](std::optional<uint64_t>* field) -> Status {
    Result<uint64_t> parsed = ParsePositive(name, value);
    if (!parsed.ok()) return parsed.status();
    *field = *parsed;
    return Status::Ok();
  };
  auto time = [&](std::optional<int64_t>* field) -> Status {
    Result<int64_t> parsed = ParseTime(name, value);
    if (!parsed.ok()) return parsed.status();
    *field = *parsed;
    return Status::Ok();
  };
  if (name == "--data-dir")
    invocation->data_dir = value;
  else if (name == "--journal")
    invocation->journal_uri = value;
  else if (name == "--json")
    invocation->json = true;
  else if (name == "--connection")
    invocation->connection = std::string(value);
  else if (name == "--from-revision")
    return positive(&invocation->from_revision);
  else if (name == "--to-revision")
    return positive(&invocation->to_revision);
  else if (name == "--at-revision")
    return positive(&invocation->at_revision);
  else if (name == "--since")
    return time(&invocation->since_us);
  else if (name == "--until")
    return time(&invocation->until_us);
  else if (name == "--at")
    return time(&invocation->at_us);
  else if (name == "--type")
    return ParseTypes(value, &invocation->types);
  else if (name == "--benchmark-plain-scan")
    invocation->benchmark_plain_scan = true;
  else if (name == "--output")
    invocation->output_path = value;
  else if (name == "--input")
    invocation->input_path = value;
  else if (name == "--threshold") {
    Result<uint64_t> parsed = ParsePositive(name, value);
    if (!parsed.ok()) return parsed.status();
    invocation->snapshot_threshold = *parsed;
  }
  return Status::Ok();
}

using ParsedOption = std::pair<const OptionSpec*, std::string_view>;

// One option word at args[*index] (and its value, which may be the next
// word: *index then moves past it).
Result<ParsedOption> ParseOptionWord(const std::vector<std::string_view>& args, size_t* index) {
  const std::string_view arg = args[*index];
  const size_t equals = arg.find('=');
  const bool has_equals = equals != std::string_view::npos;
  const OptionSpec* spec = FindOption(arg.substr(0, equals));
  if (spec == nullptr) return UsageError("unknown option '" + std::string(arg) + "'");
  if (spec->value_name.empty()) {
    if (has_equals) return UsageError(std::string(spec->name) + " takes no value");
    return ParsedOption(spec, std::string_view());
  }
  if (has_equals) return ParsedOption(spec, arg.substr(equals + 1));
  if (*index + 1 < args.size()) return ParsedOption(spec, args[++*index]);
  return UsageError(std::string(spec->name) + " needs a value (" + std::string(spec->value_name) +
                    ")");
}

// Sorts the words into the command (or `help [COMMAND]`) and the options,
// which are applied once the command is known.
Status ParseWords(const std::vector<std::string_view>& args, Invocation* invocation,
                  std::vector<ParsedOption>* options) {
  bool help_word = false;
  for (size_t index = 0; index < args.size(); ++index) {
    const std::string_view arg = args[index];
    if (arg.starts_with("-")) {
      Result<ParsedOption> option = ParseOptionWord(args, &index);
      if (!option.ok()) return option.status();
      if (option->first->name == "--help" || option->first->name == "-h") invocation->help = true;
      options->push_back(*option);
    } else if (invocation->command == Command::kNone && arg == "help" && !help_word) {
      help_word = invocation->help = true;
    } else if (invocation->command != Command::kNone) {
      return UsageError("unexpected argument '" + std::string(arg) + "'");
    } else {
      const CommandSpec* command = FindCommand(arg);
      if (command == nullptr) return UsageError("unknown command '" + std::string(arg) + "'");
      invocation->command = command->command;
    }
  }
  return Status::Ok();
}

Status CheckCombinations(const Invocation& invocation) {
  if (invocation.data_dir.empty() && invocation.journal_uri.empty()) {
    return UsageError("--data-dir DIR is required (or --journal etcd://...)");
  }
  if (!invocation.journal_uri.empty() && invocation.journal_uri.rfind("etcd://", 0) != 0) {
    return UsageError("--journal must be etcd://HOST:PORT[,HOST:PORT...]");
  }
  if (invocation.at_revision && !invocation.connection) {
    return UsageError("--at-revision needs --connection (revisions are per connection)");
  }
  if (invocation.at_revision && invocation.at_us) {
    return UsageError("--at-revision and --at exclude each other");
  }
  if (invocation.from_revision && invocation.to_revision &&
      *invocation.from_revision > *invocation.to_revision) {
    return UsageError("--from-revision is greater than --to-revision");
  }
  if (invocation.since_us && invocation.until_us && *invocation.since_us > *invocation.until_us) {
    return UsageError("--since is later than --until");
  }
  return Status::Ok();
}

}  // namespace

std::string_view CommandName(Command command) {
  return command == Command::kNone ? std::string_view() : SpecOf(command).name;
}

Result<Invocation> ParseCommandLine(const std::vector<std::string_view>& args,
                                    const char* environment_threshold) {
  Invocation invocation;
  if (environment_threshold != nullptr && environment_threshold[0] != '\0') {
    Result<uint64_t> threshold =
        ParsePositive("CONNECTION_SNAPSHOT_THRESHOLD", environment_threshold);
    if (!threshold.ok()) return threshold.status();
    invocation.snapshot_threshold = *threshold;
  }
  std::vector<ParsedOption> options;
  CONNECTIVITY_RETURN_IF_ERROR(ParseWords(args, &invocation, &options));
  if (invocation.help) return invocation;
  if (invocation.command == Command::kNone) return UsageError("no command given");
  for (const auto& [spec, value] : options) {
    if ((spec->commands & Bit(invocation.command)) == 0) {
      return UsageError("option " + std::string(spec->name) + " does not apply to '" +
                        std::string(CommandName(invocation.command)) + "'");
    }
    CONNECTIVITY_RETURN_IF_ERROR(ApplyOption(spec->name, value, &invocation));
  }
  CONNECTIVITY_RETURN_IF_ERROR(CheckCombinations(invocation));
  return invocation;
}

std::string Usage() {
  std::string text =
      "usage: journal-replay --data-dir DIR COMMAND [options]\n"
      "       journal-replay COMMAND --help\n"
      "\n"
      "Inspects, verifies, exports and time-travels the connectivity journal. Reading\n"
      "commands open it as a RocksDB secondary instance (its files in $TMPDIR), so they work\n"
      "while the server runs and never change the data; import and rebuild-snapshots write.\n"
      "\n"
      "commands:\n";
  for (const CommandSpec& spec : kCommands) {
    std::string name(spec.name);
    name.resize(19, ' ');
    text += "  " + name + std::string(spec.summary) + "\n";
  }
  text +=
      "\n"
      "Encrypted secrets: the tool reads the server's settings from the environment\n"
      "(CONNECTIVITY_CONNECTION_ENCRYPTION_KEY, ..._OLD_ENCRYPTION_KEY, ..._ENCRYPTION_POINTERS).\n"
      "With a key, dump and state show secrets decrypted and verify compares them decrypted;\n"
      "without one they show the encrypted_ values as stored and verify says it skipped\n"
      "comparing them. export writes what the journal stores (ciphertext once encrypted).\n"
      "\n"
      "exit status: 0 ok, 1 problems found, 2 usage error or the data dir cannot be opened,\n"
      "130 interrupted (Ctrl-C)\n";
  return text;
}

std::string CommandUsage(Command command) {
  if (command == Command::kNone) return Usage();
  const CommandSpec& spec = SpecOf(command);
  std::string text = "usage: journal-replay --data-dir DIR " + std::string(spec.name) +
                     " [options]\n\n" + std::string(spec.details) + "\noptions:\n";
  for (const OptionSpec& option : kOptions) {
    if (option.hidden || (option.commands & Bit(command)) == 0) continue;
    std::string left(option.name);
    if (!option.value_name.empty()) left += " " + std::string(option.value_name);
    left.resize(std::max<size_t>(left.size() + 1, 26), ' ');
    text += "  " + left + std::string(option.help) + "\n";
  }
  text +=
      "\nexit status: 0 ok, 1 problems found, 2 usage error or the data dir cannot be opened,\n"
      "130 interrupted (Ctrl-C)\n";
  return text;
}

}  // namespace connectivity::tools
