// SimDisk: the deterministic simulation's model of what RocksDB on a real
// disk gives the journal, in memory and under the simulation's control.
//
// Model (the promises the journal relies on, and nothing more):
//   * a write (one batch) is atomic and readable at once (the memtable);
//   * a synced write makes itself and every earlier write durable: the WAL
//     is one sequential file, so its fsync covers everything before it;
//   * a flush (memtable to table files) makes every write so far durable;
//   * a crash keeps the durable writes plus any prefix of the unsynced ones
//     (the page cache may have written some of them; a torn WAL recovers to
//     the last whole batch, kPointInTimeRecovery), never a later write
//     without an earlier one;
//   * a failed write stores nothing; a failed sync stores the write, but not
//     durably; after either, every later write of this process fails
//     (RocksDB's background error) until a restart;
//   * a full disk is the free-space guard's business: the journal asks
//     full() before writing and refuses without touching the disk.
//
// Single-threaded: the simulation calls everything from one thread.
#ifndef CONNECTIVITY_TESTS_SIMULATION_SIM_DISK_H_
#define CONNECTIVITY_TESTS_SIMULATION_SIM_DISK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journal/event.h"
#include "src/base/status.h"

namespace connectivity::simulation {

// Everything the journal keeps, as RocksDB would hold it (decoded).
struct SimImage {
  std::map<std::pair<std::string, uint64_t>, journal::Event> events;  // (stream, revision)
  std::map<uint64_t, std::pair<std::string, uint64_t>> order;         // sequence -> (stream, revision)
  std::map<std::string, std::string> state_rows;                     // stream -> snapshot blob
  uint64_t watermark = 0;
  std::map<std::pair<std::string, uint64_t>, std::string> historical;  // (stream, revision) -> blob

  uint64_t last_sequence() const { return order.empty() ? 0 : order.rbegin()->first; }
};

// What the next write meets.
enum class SimFault {
  kFailWrite,  // nothing is stored; the process's disk is failed from now on
  kFailSync,   // the write is stored but not durable; failed from now on
};

class SimDisk {
 public:
  using Mutation = std::function<void(SimImage&)>;

  // Applies `mutation` (durably if `sync`), or fails as RocksDB would.
  Status Write(const Mutation& mutation, bool sync);
  // A memtable flush: every write so far becomes durable.
  Status Flush();

  const SimImage& current() const { return current_; }
  const SimImage& durable() const { return durable_; }
  size_t unsynced_writes() const { return unsynced_.size(); }
  bool failed() const { return !error_.ok(); }

  void InjectFault(SimFault fault) { next_fault_ = fault; }
  void SetFull(bool full) { full_ = full; }
  bool full() const { return full_; }

  // Power loss: the durable writes and the first `survivors` unsynced ones
  // remain. The disk stays frozen (every write fails) until Restart().
  void Crash(size_t survivors);
  // kill -9: the process is gone but the page cache is not, so every write
  // stays (still not durable). Frozen until Restart().
  void Kill() { frozen_ = true; }
  // A new process: the background error and the freeze are gone; writes not
  // yet durable stay so (a later power loss may still drop them).
  void Restart();

 private:
  SimImage durable_;
  SimImage current_;
  std::vector<Mutation> unsynced_;  // applied to current_, not yet to durable_
  std::optional<SimFault> next_fault_;
  bool full_ = false;
  bool frozen_ = false;
  Status error_;  // sticky for the rest of this process
};

}  // namespace connectivity::simulation

#endif  // CONNECTIVITY_TESTS_SIMULATION_SIM_DISK_H_
