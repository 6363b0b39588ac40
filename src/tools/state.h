// journal-replay state, internals shared by state.cc (the command) and
// state_benchmark.cc (the hidden --benchmark-plain-scan).
#ifndef CONNECTIVITY_SRC_TOOLS_STATE_H_
#define CONNECTIVITY_SRC_TOOLS_STATE_H_

#include <cstdint>
#include <ostream>

#include "src/base/status.h"
#include "src/tools/command_line.h"
#include "src/tools/output.h"

namespace connectivity::tools {

struct StateRun {
  Status status;
  bool opened = false;  // false: `status` is why the journal did not open
  uint64_t events = 0;  // events replayed (all connections)
};

// Opens the journal, replays it and prints the states `invocation` asks for
// to `out` (progress, if on, to output.err).
StateRun PrintStates(const Invocation& invocation, std::ostream& out, Output& output);

// --benchmark-plain-scan: times a plain RocksDB scan of the events and the
// state replay on the same data dir, several rounds, and prints the figures
// to output.err. kOk, or the failure (already printed).
ExitCode RunStateBenchmark(const Invocation& invocation, Output& output);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_STATE_H_
