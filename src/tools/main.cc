// journal-replay: the offline journal tool (SPEC §6). This file is the thin
// part: parse the command line, print help, dispatch to the command (the
// `replay` library, commands.h) and exit with its status.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include "src/tools/command_line.h"
#include "src/tools/commands.h"
#include "src/tools/secrets.h"

namespace connectivity::tools {
namespace {

int Usage(std::ostream& stream, Command command) {
  stream << CommandUsage(command);
  return 0;
}

ExitCode Dispatch(const Invocation& invocation, Output& output) {
  switch (invocation.command) {
    case Command::kStats:
      return RunStats(invocation, output);
    case Command::kDump:
      return RunDump(invocation, output);
    case Command::kState:
      return RunState(invocation, output);
    case Command::kVerify:
      return RunVerify(invocation, output);
    case Command::kExport:
      return RunExport(invocation, output);
    case Command::kImport:
      return RunImport(invocation, output);
    case Command::kRebuildSnapshots:
      return RunRebuildSnapshots(invocation, output);
    case Command::kNone:
      break;
  }
  return ExitCode::kUsage;
}

int Main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  Result<Invocation> invocation =
      ParseCommandLine(args, std::getenv("CONNECTION_SNAPSHOT_THRESHOLD"));
  if (!invocation.ok()) {
    std::cerr << "journal-replay: " << invocation.status().message() << "\n"
              << "Try 'journal-replay --help'.\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  if (invocation->help) return Usage(std::cout, invocation->command);
  auto secrets = SecretsFromEnvironment([](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (const std::string* error = std::get_if<std::string>(&secrets)) {
    std::cerr << "journal-replay: " << *error << "\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  invocation->secrets = std::get<std::shared_ptr<const crypto::ConnectionSecrets>>(secrets);
  // Results go through std::cout; unsynced with stdio, it buffers whole
  // lines instead of handing each one to C stdio.
  std::ios::sync_with_stdio(false);
  InstallInterruptHandlers();
  Output output{std::cout, std::cerr, isatty(STDERR_FILENO) == 1};
  return static_cast<int>(Dispatch(*invocation, output));
}

}  // namespace
}  // namespace connectivity::tools

int main(int argc, char** argv) { return connectivity::tools::Main(argc, argv); }
