// connectivity-datagen: writes the benchmark data set into a data directory.
//   connectivity-datagen --data-dir DIR [--connections N] [--events M] [--seed S] [--no-state-rows]
//                        [--tail-events T]
// --tail-events appends T events after the state rows (AppendReplayTail):
// a start-up then loads the rows and replays those T events.
//   connectivity-datagen --print-connection [--seed S]
// prints connection 0 of the data set as the server stores it (the payload
// scripts/bench gives PostgreSQL) and exits.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/dataset.h"
#include "journal/journal.h"

namespace {

connectivity::Status AppendTail(const std::string& data_dir, const connectivity::bench::DatasetSpec& spec,
                                uint64_t events) {
  auto journal = connectivity::journal::Journal::Open(data_dir, {});
  if (!journal.ok()) return journal.status();
  return connectivity::bench::AppendReplayTail(**journal, spec, events);
}

}  // namespace

int main(int argc, char** argv) {
  connectivity::bench::DatasetSpec spec;
  std::string data_dir;
  uint64_t tail_events = 0;
  bool print_connection = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--data-dir" && has_value) data_dir = argv[++i];
    else if (arg == "--connections" && has_value) spec.connections = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--events" && has_value) spec.events_per_connection = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--seed" && has_value) spec.seed = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    else if (arg == "--no-state-rows") spec.write_state_rows = false;
    else if (arg == "--print-connection") print_connection = true;
    else if (arg == "--tail-events" && has_value) tail_events = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: connectivity-datagen --data-dir DIR [--connections N] [--events M] [--seed S] [--no-state-rows] [--tail-events T]\n"
                           "       connectivity-datagen --print-connection [--seed S]\n");
      return 2;
    }
  }
  if (print_connection) {
    connectivity::Result<std::string> json = connectivity::bench::CanonicalConnectionJson(0, 1, spec.seed);
    if (!json.ok()) {
      std::fprintf(stderr, "connectivity-datagen: %s\n", json.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", json->c_str());
    return 0;
  }
  if (data_dir.empty() || spec.connections == 0 || spec.events_per_connection == 0) {
    std::fprintf(stderr, "connectivity-datagen: --data-dir, and positive --connections/--events, are required\n");
    return 2;
  }
  connectivity::Status status = connectivity::bench::GenerateDataset(data_dir, spec);
  if (status.ok() && tail_events > 0) status = AppendTail(data_dir, spec, tail_events);
  if (!status.ok()) {
    std::fprintf(stderr, "connectivity-datagen: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("dataset v%d: %llu connections x %llu events in %s\n", connectivity::bench::kDatasetVersion,
              static_cast<unsigned long long>(spec.connections),
              static_cast<unsigned long long>(spec.events_per_connection), data_dir.c_str());
  return 0;
}
