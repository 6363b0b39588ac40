// The benchmark data set: N connections of about 1 KiB of JSON each, with M
// events each (a create, then modifies, opens and closes), written straight
// into a journal the way the server would have written it, plus the state
// rows a cleanly stopped server leaves behind. Deterministic for a seed.
#ifndef CONNECTIVITY_BENCH_DATASET_H_
#define CONNECTIVITY_BENCH_DATASET_H_

#include <cstdint>
#include <string>

#include "src/base/status.h"

namespace connectivity::journal {
class Journal;
}

namespace connectivity::bench {

// Bump when the generated content or the table format changes, so cached
// data sets are rebuilt (3: partitioned index and filter blocks).
inline constexpr int kDatasetVersion = 3;

struct DatasetSpec {
  uint64_t connections = 1000;
  uint64_t events_per_connection = 10;
  uint32_t seed = 301;
  bool write_state_rows = true;
  // As the server does: a historical snapshot every this many revisions of
  // a connection (CONNECTION_SNAPSHOT_THRESHOLD); 0: none.
  uint64_t historical_every = 25;
};

// A valid connection (input JSON, with id) of about 1 KiB; `variant` changes
// its name and tags so modifies differ.
std::string GeneratedConnectionJson(uint64_t index, uint64_t variant, uint32_t seed);

// The same connection as the server stores it (model::SerializeConnection of
// the parsed input): the payload of a created or modified event.
Result<std::string> CanonicalConnectionJson(uint64_t index, uint64_t variant, uint32_t seed);

// Writes the data set into a new journal at `data_dir`.
Status GenerateDataset(const std::string& data_dir, const DatasetSpec& spec);

// Appends `events` more events to a journal holding the data set `spec`
// (after its state rows, which stay as they are): what a server that stopped
// without a last snapshot pass leaves for recovery to replay. Round robin
// over the connections, continuing each one's history (modified, opened,
// closed, ...); event k goes to connection k % spec.connections.
Status AppendReplayTail(journal::Journal& journal, const DatasetSpec& spec, uint64_t events);

}  // namespace connectivity::bench

#endif  // CONNECTIVITY_BENCH_DATASET_H_
