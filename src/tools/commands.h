// The journal-replay commands (the `replay` library): one function per
// command, each taking the parsed command line and writing to an Output, so
// that tests run them without a process. main.cc parses, dispatches and
// exits with the ExitCode returned here. Help texts: command_line.h.
//
// Reading commands (stats, dump, state, verify, export) open the data dir as
// a RocksDB secondary instance (open.h) and never write it; import and
// rebuild-snapshots open it read-write and refuse a dir a server holds.
#ifndef CONNECTIVITY_SRC_TOOLS_COMMANDS_H_
#define CONNECTIVITY_SRC_TOOLS_COMMANDS_H_

#include "src/tools/command_line.h"
#include "src/tools/output.h"

namespace connectivity::tools {

ExitCode RunStats(const Invocation& invocation, Output& output);
ExitCode RunDump(const Invocation& invocation, Output& output);
ExitCode RunState(const Invocation& invocation, Output& output);
ExitCode RunVerify(const Invocation& invocation, Output& output);
ExitCode RunExport(const Invocation& invocation, Output& output);
ExitCode RunImport(const Invocation& invocation, Output& output);
ExitCode RunRebuildSnapshots(const Invocation& invocation, Output& output);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_COMMANDS_H_
