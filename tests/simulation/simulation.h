// Deterministic simulation of the write path, restarts and disk faults, in
// the manner of FoundationDB's simulator and TigerBeetle's VOPR: one thread,
// one seeded generator, a manual clock and an in-memory disk (sim_disk.h)
// under the real service, snapshotter, recovery and projector.
//
// A seed runs a few hundred steps chosen by the generator: commands on a
// handful of connections (create, modify with and without If-Match, open,
// close, delete, re-create), group-commit batches of any size, snapshot
// passes, memtable flushes, failed writes, failed fsyncs, a full disk, and
// restarts of three kinds: SIGTERM (clean), kill -9 (the page cache
// survives) and power loss (only synced writes, plus any prefix of the
// unsynced ones, survive). A ledger keeps every acknowledged command.
//
// Checked at every restart, before recovery reads anything:
//   * the invariant of the snapshotter: state rows + watermark W are exactly
//     the fold of every event with sequence <= W;
// and after recovery:
//   * every acknowledged command's event is in the journal, and the
//     connection after it is the one that was acknowledged;
//   * what the service serves is the fold of the whole journal;
//   * history at an acknowledged revision gives the acknowledged connection.
// The same seed always makes the same run, so a failure prints its seed and
// the steps that led to it.
#ifndef CONNECTIVITY_TESTS_SIMULATION_SIMULATION_H_
#define CONNECTIVITY_TESTS_SIMULATION_SIMULATION_H_

#include <cstdint>
#include <string>
#include <vector>

namespace connectivity::simulation {

struct SimulationOptions {
  uint64_t seed = 1;
  int steps = 300;
  bool trace = false;  // print every step as it runs
};

struct SimulationResult {
  uint64_t seed = 0;
  bool ok = true;
  std::string failure;              // the first violated property
  std::vector<std::string> recent;  // the steps before the failure
  uint64_t commands = 0;
  uint64_t acknowledged = 0;
  uint64_t restarts = 0;
  uint64_t power_losses = 0;
  uint64_t faults = 0;
};

SimulationResult RunSimulation(const SimulationOptions& options);

}  // namespace connectivity::simulation

#endif  // CONNECTIVITY_TESTS_SIMULATION_SIMULATION_H_
